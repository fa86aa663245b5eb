/// The SASL mechanisms Mailshard offers (`AUTH=PLAIN`, `AUTH=LOGIN`).
public enum SASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"

    public init?(name: some StringProtocol) {
        self.init(rawValue: name.uppercased())
    }
}

/// One AUTHENTICATE exchange as a state machine over base64 lines: the session
/// feeds it the client's responses (and the SASL-IR initial response, RFC 4959)
/// and sends back what it asks for. No I/O, so every step is testable alone.
public struct SASLExchange: Sendable {
    /// What the session does next.
    public enum Step: Sendable, Equatable {
        /// Send `+ <challenge>` (base64, possibly empty) and wait for a line.
        case challenge(String)
        /// The client proved nothing yet but gave these credentials to check.
        case credentials(user: String, password: String)
        /// The exchange failed; answer `NO`/`BAD` with this reason.
        case failed(SASLFailure)
    }

    private enum State: Sendable {
        case start
        case plainAwaitingResponse
        case loginAwaitingUser
        case loginAwaitingPassword(user: String)
        case done
    }

    public let mechanism: SASLMechanism
    private var state = State.start

    public init(mechanism: SASLMechanism) {
        self.mechanism = mechanism
    }

    /// Starts the exchange, with the SASL-IR initial response when the client
    /// sent one (`=` is the empty initial response).
    public mutating func start(initialResponse: String?) -> Step {
        switch (mechanism, initialResponse) {
        case (.plain, nil):
            state = .plainAwaitingResponse
            return .challenge("")
        case (.plain, let response?):
            return finishPlain(response)
        case (.login, nil):
            state = .loginAwaitingUser
            return .challenge(SASLBase64.encode(Array("Username:".utf8)))
        case (.login, let response?):
            state = .loginAwaitingUser
            return respond(response)
        }
    }

    /// Feeds one client line (without CRLF). A line of `*` cancels (RFC 9051 6.2.2).
    public mutating func respond(_ line: String) -> Step {
        if line == "*" {
            state = .done
            return .failed(.cancelled)
        }
        switch state {
        case .plainAwaitingResponse:
            return finishPlain(line)
        case .loginAwaitingUser:
            guard let user = decodeText(line) else { return fail(.malformed) }
            state = .loginAwaitingPassword(user: user)
            return .challenge(SASLBase64.encode(Array("Password:".utf8)))
        case .loginAwaitingPassword(let user):
            guard let password = decodeText(line) else { return fail(.malformed) }
            state = .done
            return .credentials(user: user, password: password)
        case .start, .done:
            return fail(.unexpectedResponse)
        }
    }

    /// PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`. Mailshard has no
    /// proxy authorization, so an authzid other than the user is refused.
    private mutating func finishPlain(_ line: String) -> Step {
        let decoded: [UInt8]
        if line == "=" || line.isEmpty {
            decoded = []
        } else {
            guard let bytes = SASLBase64.decode(Array(line.utf8)) else { return fail(.malformed) }
            decoded = bytes
        }
        let parts = decoded.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return fail(.malformed) }
        let authzid = String(decoding: parts[0], as: UTF8.self)
        let user = String(decoding: parts[1], as: UTF8.self)
        let password = String(decoding: parts[2], as: UTF8.self)
        guard !user.isEmpty else { return fail(.malformed) }
        guard authzid.isEmpty || authzid == user else { return fail(.authorizationIdentityRefused) }
        state = .done
        return .credentials(user: user, password: password)
    }

    private func decodeText(_ line: String) -> String? {
        if line == "=" { return "" }
        return SASLBase64.decode(Array(line.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func fail(_ failure: SASLFailure) -> Step {
        state = .done
        return .failed(failure)
    }
}

/// Why an exchange ended without credentials.
public enum SASLFailure: Sendable, Equatable, CustomStringConvertible {
    case cancelled
    case malformed
    case authorizationIdentityRefused
    case unexpectedResponse

    public var description: String {
        switch self {
        case .cancelled: "Authentication cancelled"
        case .malformed: "Malformed SASL response"
        case .authorizationIdentityRefused: "Authorization identity must be empty or equal to the user"
        case .unexpectedResponse: "Unexpected SASL response"
        }
    }
}
