/// A response code in brackets at the start of a status response's text: RFC 9051's
/// codes, RFC 5530's, and those of UIDPLUS, CONDSTORE/QRESYNC, COMPRESS, LITERAL-
/// (TOOBIG), SPECIAL-USE (USEATTR) and BINARY (UNKNOWN-CTE).
///
///     resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / ...
public enum ResponseCode: Hashable, Sendable {
    case alert
    case badCharset([String])
    case capability([String])
    case parse
    case permanentFlags([Flag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    /// `APPENDUID uidvalidity uid-set` (RFC 4315, RFC 9051).
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    /// `COPYUID uidvalidity source-uids destination-uids`.
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case uidNotSticky
    // RFC 5530
    case unavailable, authenticationFailed, authorizationFailed, expired, privacyRequired
    case contactAdmin, noPermission, inUse, expungeIssued, corruption, serverBug, clientBug
    case cannot, limit, overQuota, alreadyExists, nonExistent
    // RFC 9051 additions
    case notSaved, hasChildren, closed, unknownCTE
    // RFC 7162
    case highestModificationSequence(UInt64)
    case noModificationSequence
    case modified(SequenceSet)
    /// RFC 4978.
    case compressionActive
    /// RFC 4469 / RFC 7888: a literal over the server's limit.
    case tooBig
    /// RFC 6154.
    case useAttribute
    /// Any other code, with its optional text.
    case other(name: String, text: String?)
}
