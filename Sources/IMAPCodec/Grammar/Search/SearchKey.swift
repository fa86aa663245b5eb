/// A SEARCH criterion: every key of RFC 9051, the IMAP4rev1 keys, and CONDSTORE's MODSEQ.
/// Strings are kept as bytes' UTF-8 text; the server applies the CHARSET.
///
///     search-key = "ALL" / "ANSWERED" / "BCC" SP astring / ... /
///                  "UID" SP sequence-set / "UNDRAFT" / sequence-set /
///                  "(" search-key *(SP search-key) ")"
public enum SearchKey: Hashable, Sendable {
    case all
    case answered, deleted, draft, flagged, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    /// IMAP4rev1 only.
    case new, old, recent
    case keyword(Flag)
    case unkeyword(Flag)
    case bcc(String), cc(String), from(String), to(String), subject(String)
    case body(String), text(String)
    case header(field: String, value: String)
    case before(IMAPDate), on(IMAPDate), since(IMAPDate)
    case sentBefore(IMAPDate), sentOn(IMAPDate), sentSince(IMAPDate)
    case larger(UInt64), smaller(UInt64)
    case uid(SequenceSet)
    case sequenceNumbers(SequenceSet)
    // Only the recursive cases are boxed, so a leaf key costs no allocation.
    indirect case not(SearchKey)
    indirect case or(SearchKey, SearchKey)
    /// Several keys that must all match: the top level and `(...)`.
    case and([SearchKey])
    /// `MODSEQ [entry-name entry-type] value` (RFC 7162).
    case modificationSequence(UInt64, entry: ModSeqEntry?)
}
