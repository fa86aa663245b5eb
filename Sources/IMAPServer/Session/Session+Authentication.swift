import Auth
import IMAPCodec
import MailStore
import ShardRuntime

/// LOGIN and AUTHENTICATE (PLAIN, LOGIN; SASL-IR). Passwords are checked off the
/// shard thread; failures wait as long as ``LoginThrottle`` says and answer
/// `NO [AUTHENTICATIONFAILED]`; every attempt is logged without its password.
extension Session {
    func handleLogin(tag: String, user: String, password: String) async throws {
        guard plaintextAllowed else { throw SessionError.privacyRequired }
        try await logIn(tag: tag, user: user, password: password, method: "LOGIN")
    }

    func handleAuthenticate(tag: String, mechanism name: String, initialResponse: InitialResponse?) async throws {
        guard let mechanism = SASLMechanism(name: name) else { throw SessionError.unknownMechanism(name) }
        guard plaintextAllowed else { throw SessionError.privacyRequired }
        var exchange = SASLExchange(mechanism: mechanism)
        let initial: String? = switch initialResponse {
        case nil: nil
        case .empty: "="
        case .base64(let text): text
        }
        let step = exchange.start(initialResponse: initial)
        sasl = exchange
        machine.authenticationBegan(tag: tag)
        try await advanceAuthentication(tag: tag, step: step)
    }

    /// A client line during AUTHENTICATE.
    func continueAuthentication(tag: String, line: ArraySlice<UInt8>) async throws {
        guard var exchange = sasl else { preconditionFailure("authenticating without an exchange") }
        let step: SASLExchange.Step
        switch try? CommandParser.parseAuthenticationLine(line) {
        case .cancel?: step = exchange.respond("*")
        case .response(let base64)?: step = exchange.respond(base64.isEmpty ? "=" : base64)
        case nil: step = .failed(.malformed)
        }
        sasl = exchange
        try await advanceAuthentication(tag: tag, step: step)
    }

    private func advanceAuthentication(tag: String, step: SASLExchange.Step) async throws {
        switch step {
        case .challenge(let challenge):
            send(.continuation(.base64(challenge)))
        case .failed(let failure):
            sasl = nil
            machine.authenticationFailed()
            send(SessionError.saslFailed(failure.description).response(tag: tag))
        case .credentials(let user, let password):
            let method = "AUTHENTICATE \(sasl?.mechanism.rawValue ?? "")"
            sasl = nil
            machine.authenticationFailed()  // back to not authenticated until the check succeeds
            do {
                try await logIn(tag: tag, user: user, password: password, method: method)
            } catch let error as ConnectionError {
                throw error
            } catch {
                send(SessionError(error).response(tag: tag))
            }
        }
    }

    /// Checks the password (off the shard), opens the user's store, answers, and
    /// asks to move to the user's home shard (or where HomeShardPlacement puts it).
    private func logIn(tag: String, user: String, password: String, method: String) async throws {
        let authenticator = context.authenticator
        let entry = await Task.detached { await authenticator.authenticate(user: user, password: password) }.value
        guard let entry else {
            loginFailures += 1
            let delay = context.throttle.recordFailure(address: Self.address(of: peer), connectionFailures: loginFailures)
            context.logger.notice("login failed: user=\(Self.printable(user)) method=\(method) peer=\(peer) delay=\(delay)")
            try await Task.sleep(for: delay)
            throw SessionError.authenticationFailed
        }
        userStore = try await context.store.user(entry.user)
        machine.loggedIn(user: entry.user)
        complete(tag, code: .capability(capabilities), "Logged in")
        let home = context.placeSession(user: entry.user, accepted: shard)
        context.logger.info("login: user=\(entry.user) method=\(method) peer=\(peer) shard=\(home.index)")
        if home === shard {
            context.moves.recordStay()
            // The limit is now the authenticated one.
            armTimer()
        } else {
            exit = .move(to: home, carried)
        }
    }

    private var carried: Carried {
        Carried(
            machine: machine, framer: framer, encoder: encoder, peer: peer, plaintextAllowed: plaintextAllowed,
            tlsActive: tlsActive, userStore: userStore, loginFailures: loginFailures, pendingOutput: output.bytes)
    }

    /// "ip:port" → "ip" ("[v6]:port" → "v6").
    static func address(of peer: String) -> String {
        if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") {
            return String(peer[peer.index(after: peer.startIndex)..<close])
        }
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        return String(peer[..<colon])
    }

    /// A user name as the client sent it, safe for a log line.
    static func printable(_ text: String) -> String {
        String(text.prefix(64).map { $0.isASCII && ($0.isLetter || $0.isNumber || "@.-_+".contains($0)) ? $0 : "?" })
    }
}
