import IMAPCodec
import MailStore

/// Why a command failed, typed; ``response(tag:)`` maps every case (and every
/// store error) to its IMAP answer in this one place.
enum SessionError: Error, Equatable {
    /// Arguments the grammar accepts but this command cannot use: `BAD`.
    case badArguments(String)
    /// Plaintext authentication on a connection that is not private: `NO [PRIVACYREQUIRED]`.
    case privacyRequired
    case authenticationFailed
    /// The SASL exchange failed or was cancelled: `BAD` (RFC 9051 section 6.2.2).
    case saslFailed(String)
    case unknownMechanism(String)
    /// A mailbox name that is not valid in the encoding the session speaks.
    case malformedMailboxName
    case unsupportedSpecialUse(String)
    case store(StoreError)
    /// Any other failure: `NO [SERVERBUG]`, logged.
    case internalFailure(String)

    init(_ error: any Error) {
        switch error {
        case let error as SessionError: self = error
        case let error as StoreError: self = .store(error)
        default: self = .internalFailure(String(describing: error))
        }
    }

    func response(tag: String) -> Response {
        let status: StatusResponse
        switch self {
        case .badArguments(let text):
            status = StatusResponse(.bad, text)
        case .privacyRequired:
            status = StatusResponse(.no, code: .privacyRequired, "Plaintext authentication is not allowed on this connection")
        case .authenticationFailed:
            status = StatusResponse(.no, code: .authenticationFailed, "Authentication failed")
        case .saslFailed(let text):
            status = StatusResponse(.bad, text)
        case .unknownMechanism(let name):
            status = StatusResponse(.no, code: .cannot, "Unsupported authentication mechanism \(name.prefix(32))")
        case .malformedMailboxName:
            status = StatusResponse(.no, code: .cannot, "Mailbox name is not valid modified UTF-7")
        case .unsupportedSpecialUse(let use):
            status = StatusResponse(.no, code: .useAttribute, "Unsupported special use \(use.prefix(32))")
        case .store(let error):
            status = Self.status(for: error)
        case .internalFailure:
            status = StatusResponse(.no, code: .serverBug, "Internal error")
        }
        return .tagged(tag: tag, status)
    }

    private static func status(for error: StoreError) -> StatusResponse {
        switch error {
        case .mailboxNotFound: StatusResponse(.no, code: .nonExistent, "Mailbox does not exist")
        case .mailboxExists: StatusResponse(.no, code: .alreadyExists, "Mailbox already exists")
        case .invalidMailboxName: StatusResponse(.no, code: .cannot, "Invalid mailbox name")
        case .operationNotAllowed(let reason): StatusResponse(.no, code: .cannot, reason)
        case .invalidUserName: StatusResponse(.no, code: .cannot, "Invalid user name")
        case .messageNotFound: StatusResponse(.no, code: .nonExistent, "Message does not exist")
        case .overQuota: StatusResponse(.no, code: .overQuota, "Quota exceeded")
        case .tooManyKeywords(let limit): StatusResponse(.no, code: .limit, "A mailbox holds at most \(limit) keywords")
        case .messageTooLarge: StatusResponse(.no, code: .tooBig, "Message too large")
        case .corrupt: StatusResponse(.no, code: .corruption, "Mailbox data is damaged")
        case .io, .badImportSource: StatusResponse(.no, code: .unavailable, "Mail storage is unavailable")
        }
    }

    /// Worth an error line in the log (the server's fault, not the client's).
    var isServerSide: Bool {
        switch self {
        case .internalFailure: true
        case .store(.corrupt), .store(.io): true
        default: false
        }
    }
}
