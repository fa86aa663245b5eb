/// A set of messages, by number or by UID, or `$` (the saved result of the last SEARCH,
/// RFC 5182).
///
///     sequence-set = (seq-number / seq-range) ["," sequence-set]
///     sequence-set =/ seq-last-command
public enum SequenceSet: Hashable, Sendable {
    case ranges([SequenceRange])
    case lastSearchResult

    /// `1:*`, the set every client asks for.
    public static let all = SequenceSet.ranges([SequenceRange(.number(1), .last)])
}
