/// A SEARCH criterion (RFC 9051 6.4.4, plus MODSEQ from RFC 7162 3.1.5), with
/// dates already reduced to day numbers (days since 1970-01-01) by the parser.
public indirect enum SearchKey: Sendable, Equatable {
    case all
    /// A message sequence number set.
    case sequenceSet([SequenceRange])
    case uid([SequenceRange])
    case answered, deleted, draft, flagged, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    case keyword(String)
    case unkeyword(String)
    /// INTERNALDATE, compared by day in the date's own zone.
    case before(day: Int32), on(day: Int32), since(day: Int32)
    /// The Date: header, compared by day in its own zone (INTERNALDATE if it has none).
    case sentBefore(day: Int32), sentOn(day: Int32), sentSince(day: Int32)
    /// RFC822.SIZE strictly larger / smaller than.
    case larger(Int), smaller(Int)
    /// MODSEQ ≥ the value.
    case modSeq(ModSeq)
    /// A key that needs the message text, answered by the `MessageAnalyzer`.
    case text(TextSearchKey)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    /// All must match (a parenthesized list, or the top-level criteria).
    case and([SearchKey])

    /// Whether evaluating this key reads message files.
    public var needsText: Bool {
        switch self {
        case .text: true
        case let .not(key): key.needsText
        case let .or(a, b): a.needsText || b.needsText
        case let .and(keys): keys.contains { $0.needsText }
        default: false
        }
    }
}
