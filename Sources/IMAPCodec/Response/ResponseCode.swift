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

/// The text of a status response, with its optional code.
///
///     resp-text = ["[" resp-text-code "]" SP] [text]
public struct ResponseText: Hashable, Sendable {
    public var code: ResponseCode?
    public var text: String

    public init(code: ResponseCode? = nil, text: String) {
        self.code = code
        self.text = text
    }
}

/// OK, NO, BAD, PREAUTH or BYE with its text.
///
///     resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
///     resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
///     resp-cond-bye   = "BYE" SP resp-text
public struct StatusResponse: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
        case preauth = "PREAUTH"
        case bye = "BYE"
    }

    public var kind: Kind
    public var text: ResponseText

    public init(_ kind: Kind, _ text: ResponseText) {
        self.kind = kind
        self.text = text
    }

    public init(_ kind: Kind, code: ResponseCode? = nil, _ text: String) {
        self.init(kind, ResponseText(code: code, text: text))
    }
}
