/// A half-open range of byte offsets `[start, end)` into a stored message file.
///
/// Everything the parser finds is a `ByteRange` of the original bytes, so FETCH can
/// send a section straight from the mmap'd file without copying it first.
public struct ByteRange: Hashable, Sendable, CustomStringConvertible {
    /// Offset of the first byte.
    public var start: Int
    /// Offset one past the last byte.
    public var end: Int

    /// A range from `start` up to (not including) `end`; `end` must not precede `start`.
    @inlinable
    public init(start: Int, end: Int) {
        precondition(start <= end, "ByteRange end precedes start")
        self.start = start
        self.end = end
    }

    /// The number of bytes in the range.
    @inlinable public var count: Int { end - start }

    /// True when the range holds no bytes.
    @inlinable public var isEmpty: Bool { start == end }

    /// The range as a Swift `Range<Int>`, for slicing buffers.
    @inlinable public var offsets: Range<Int> { start..<end }

    public var description: String { "[\(start), \(end))" }
}
