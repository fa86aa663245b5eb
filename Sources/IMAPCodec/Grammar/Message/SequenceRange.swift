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
