import IMAPCodec
import MailStore

/// Why a message command failed, as the message-command layer sees it. The session
/// maps each case to one tagged response (`response`), so the wording and response
/// codes live in this one place.
enum MessageCommandError: Error, Equatable, Sendable {
    /// SEARCH CHARSET other than UTF-8 / US-ASCII (RFC 9051 6.4.4).
    case badCharset(String)
    /// BINARY of a part whose Content-Transfer-Encoding we cannot decode (RFC 3516).
    case unknownTransferEncoding
    /// STORE / EXPUNGE on a mailbox selected with EXAMINE.
    case readOnly
    /// A flag the client may not set (`\Recent`, an unknown system flag).
    case invalidFlag(String)
    /// `$` used before any SEARCH saved a result is valid and means the empty set;
    /// this case is for a sequence number beyond the mailbox.
    case invalidSequenceSet
    /// The mailbox cannot take another keyword (PERMANENTFLAGS has no `\*`).
    case tooManyKeywords
    /// APPEND larger than APPENDLIMIT (RFC 7889).
    case tooBig(limit: Int)
    /// APPEND / COPY / MOVE to a mailbox that does not exist.
    case tryCreate
    case overQuota
    /// A modifier or option of an extension this server does not advertise.
    case unsupported(String)
    /// Arguments the grammar allows but the command's rules do not (a modifier
    /// given twice, VANISHED without CHANGEDSINCE): BAD.
    case invalidArguments(String)
    /// Any other store failure, with text for the log and the client.
    case store(String)

    /// The tagged status for this failure: kind (NO or BAD), response code and text.
    var response: (isBad: Bool, code: ResponseCode?, text: String) {
        switch self {
        case let .badCharset(name):
            (false, .badCharset(["UTF-8", "US-ASCII"]), "Unsupported charset \(name)")
        case .unknownTransferEncoding:
            (false, .unknownCTE, "Unknown Content-Transfer-Encoding")
        case .readOnly:
            (false, .readOnly, "Mailbox is read-only")
        case let .invalidFlag(flag):
            (true, nil, "Invalid flag \(flag)")
        case .invalidSequenceSet:
            (true, nil, "Invalid message sequence number")
        case .tooManyKeywords:
            (false, .limit, "Too many keywords in this mailbox")
        case let .tooBig(limit):
            (false, .tooBig, "Message larger than APPENDLIMIT \(limit)")
        case .tryCreate:
            (false, .tryCreate, "Mailbox does not exist")
        case .overQuota:
            (false, .overQuota, "Quota exceeded")
        case let .unsupported(text), let .invalidArguments(text):
            (true, nil, text)
        case let .store(text):
            (false, .serverBug, text)
        }
    }

    /// Maps a store failure to the IMAP-level error.
    init(_ error: StoreError) {
        switch error {
        case .mailboxNotFound: self = .tryCreate
        case .overQuota: self = .overQuota
        case .tooManyKeywords: self = .tooManyKeywords
        case let .messageTooLarge(size): self = .tooBig(limit: size)
        default: self = .store(error.description)
        }
    }
}
