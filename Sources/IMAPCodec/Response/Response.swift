/// Everything a server sends.
///
///     response = *(continue-req / response-data) response-done
public enum Response: Hashable, Sendable {
    /// `tag OK/NO/BAD text`: the end of a command.
    case tagged(tag: String, StatusResponse)
    /// `* ...`
    case untagged(UntaggedResponse)
    /// `+ ...`: go on sending (a literal, an AUTHENTICATE line, or IDLE's DONE).
    case continuation(ContinuationRequest)
}

/// The text after `+`.
///
///     continue-req = "+" SP (resp-text / base64) CRLF
public enum ContinuationRequest: Hashable, Sendable {
    case text(ResponseText)
    /// An AUTHENTICATE challenge, already base64 (may be empty).
    case base64(String)
}

/// Untagged data.
///
///     response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data /
///                     message-data / capability-data / enable-data) CRLF
public enum UntaggedResponse: Hashable, Sendable {
    /// `* OK/NO/BAD/PREAUTH/BYE [code] text`
    case condition(StatusResponse)
    /// `* CAPABILITY IMAP4rev2 ...`
    case capability([String])
    /// `* ENABLED ...` (RFC 5161)
    case enabled([String])
    case list(ListResponse)
    /// IMAP4rev1 `* LSUB`.
    case lsub(ListResponse)
    /// `* STATUS mailbox (...)`
    case status(MailboxName, [StatusValue])
    /// `* FLAGS (...)`
    case flags([Flag])
    case exists(UInt32)
    /// IMAP4rev1 `* n RECENT`.
    case recent(UInt32)
    case expunge(UInt32)
    /// `* VANISHED [(EARLIER)] uids` (QRESYNC).
    case vanished(earlier: Bool, SequenceSet)
    /// `* n FETCH (...)`
    case fetch(UInt32, [FetchResponseItem])
    case esearch(ESearchResponse)
    /// IMAP4rev1 `* SEARCH n ...` with CONDSTORE's `(MODSEQ n)`.
    case search([UInt32], modificationSequence: UInt64?)
    case namespace(NamespaceResponse)
    /// `* ID (...)` or `* ID NIL` (RFC 2971).
    case id([IDField]?)
}

/// One STATUS item and its value.
///
///     status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ...
public enum StatusValue: Hashable, Sendable {
    case messages(UInt32)
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    case deleted(UInt32)
    case size(UInt64)
    case recent(UInt32)
    case highestModificationSequence(UInt64)
    /// nil: no limit (`APPENDLIMIT NIL`).
    case appendLimit(UInt64?)
}

/// One LIST (or LSUB) response.
///
///     mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
///                    mailbox [SP mbox-list-extended]
public struct ListResponse: Hashable, Sendable {
    /// Attributes as written: `\HasNoChildren`, `\Sent`, `\Subscribed`, ...
    public var attributes: [String]
    /// The hierarchy delimiter, or nil for a flat namespace.
    public var delimiter: Unicode.Scalar?
    /// The name in the form the session uses (modified UTF-7 for IMAP4rev1 clients).
    public var mailbox: MailboxName
    /// Extended items such as `CHILDINFO ("SUBSCRIBED")` or `OLDNAME ("old")`.
    public var extendedItems: [ExtensionParameter]

    public init(
        attributes: [String], delimiter: Unicode.Scalar?, mailbox: MailboxName,
        extendedItems: [ExtensionParameter] = []
    ) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.mailbox = mailbox
        self.extendedItems = extendedItems
    }
}

/// An ESEARCH response (RFC 4731, RFC 9051).
///
///     esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
public struct ESearchResponse: Hashable, Sendable {
    /// The tag of the SEARCH this answers.
    public var correlator: String?
    public var byUID: Bool
    public var items: [Item]

    public enum Item: Hashable, Sendable {
        case min(UInt32)
        case max(UInt32)
        case all(SequenceSet)
        case count(UInt32)
        case modificationSequence(UInt64)
        case other(ExtensionParameter)
    }

    public init(correlator: String?, byUID: Bool, items: [Item]) {
        self.correlator = correlator
        self.byUID = byUID
        self.items = items
    }
}

/// The three namespace lists of a NAMESPACE response; nil stands for NIL.
///
///     namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
public struct NamespaceResponse: Hashable, Sendable {
    public var personal: [NamespaceDescription]?
    public var otherUsers: [NamespaceDescription]?
    public var shared: [NamespaceDescription]?

    public init(personal: [NamespaceDescription]?, otherUsers: [NamespaceDescription]?, shared: [NamespaceDescription]?) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}

/// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"`
public struct NamespaceDescription: Hashable, Sendable {
    public var prefix: String
    public var delimiter: Unicode.Scalar?

    public init(prefix: String, delimiter: Unicode.Scalar?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}
