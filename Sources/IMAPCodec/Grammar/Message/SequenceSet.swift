/// One end of a message range: a number, or `*` (the largest number in use).
///
///     seq-number = nz-number / "*"
public enum SequenceNumber: Hashable, Sendable {
    case number(UInt32)
    case last
}

/// A range of message sequence numbers or UIDs; `2:4` and `4:2` are the same range.
///
///     seq-range = seq-number ":" seq-number
public struct SequenceRange: Hashable, Sendable {
    public var first: SequenceNumber
    public var last: SequenceNumber

    public init(_ first: SequenceNumber, _ last: SequenceNumber) {
        self.first = first
        self.last = last
    }

    /// A range holding one number (`7` rather than `7:7`).
    public init(_ single: SequenceNumber) {
        self.init(single, single)
    }
}

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
