/// One end of a message range: a number, or `*` (the largest number in use).
///
///     seq-number = nz-number / "*"
public enum SequenceNumber: Hashable, Sendable {
    case number(UInt32)
    case last
}
