/// A byte window of a section: `<offset.count>` in a request.
///
///     partial = "<" number64 "." nz-number64 ">"
public struct PartialRange: Hashable, Sendable {
    public var offset: UInt64
    public var count: UInt64

    public init(offset: UInt64, count: UInt64) {
        self.offset = offset
        self.count = count
    }
}
