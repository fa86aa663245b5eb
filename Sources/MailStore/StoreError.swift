/// Every failure the store reports. The server maps each case to one IMAP response
/// code in one place (e.g. `.overQuota` → `NO [OVERQUOTA]`, `.mailboxNotFound` →
/// `NO [NONEXISTENT]`).
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed; `operation` names it and `path` what it was working on.
    case io(operation: String, path: String, errno: Int32)
    /// A file exists but its content is not what the store wrote (bad magic, checksum).
    case corrupt(path: String, reason: String)
    case invalidUserName(String)
    case invalidMailboxName(String)
    case mailboxNotFound(String)
    case mailboxExists(String)
    /// INBOX cannot be deleted, and a mailbox cannot be renamed under itself.
    case operationNotAllowed(String)
    case messageNotFound(UID)
    /// APPEND or COPY would pass the user's quota; says which limit and by how much.
    case overQuota(resource: QuotaResource, limit: Int64, wouldUse: Int64)
    /// A mailbox can hold at most `KeywordTable.capacity` distinct keywords.
    case tooManyKeywords(limit: Int)
    /// A message larger than the store can index (4 GiB - 1).
    case messageTooLarge(Int)
    case badImportSource(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(operation, path, errno): "\(operation) failed on \(path): errno \(errno)"
        case let .corrupt(path, reason): "\(path) is corrupt: \(reason)"
        case let .invalidUserName(name): "invalid user name \(name.debugDescription)"
        case let .invalidMailboxName(name): "invalid mailbox name \(name.debugDescription)"
        case let .mailboxNotFound(name): "no mailbox named \(name.debugDescription)"
        case let .mailboxExists(name): "mailbox \(name.debugDescription) already exists"
        case let .operationNotAllowed(reason): reason
        case let .messageNotFound(uid): "no message with UID \(uid)"
        case let .overQuota(resource, limit, wouldUse):
            "quota exceeded: \(resource) would be \(wouldUse), limit \(limit)"
        case let .tooManyKeywords(limit): "a mailbox holds at most \(limit) keywords"
        case let .messageTooLarge(size): "message of \(size) bytes is too large to store"
        case let .badImportSource(path, reason): "cannot import \(path): \(reason)"
        }
    }
}

/// The two resources a user's quota counts (RFC 9208 STORAGE and MESSAGE).
public enum QuotaResource: String, Sendable, Equatable {
    case messages = "MESSAGE"
    case bytes = "STORAGE"
}
