/// A STATUS data item: RFC 9051, IMAP4rev1 RECENT, CONDSTORE HIGHESTMODSEQ,
/// STATUS=SIZE (RFC 8438) and APPENDLIMIT (RFC 7889).
///
///     status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"
///     status-att =/ "RECENT" / "HIGHESTMODSEQ" / "APPENDLIMIT"
public enum StatusAttribute: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    case recent = "RECENT"
    case highestModificationSequence = "HIGHESTMODSEQ"
    case appendLimit = "APPENDLIMIT"
}
