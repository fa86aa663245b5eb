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
