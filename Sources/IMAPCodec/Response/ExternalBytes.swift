/// Bytes that live outside this layer, usually a range of an mmap'd message file. The
/// encoder writes only the literal header; the I/O layer sends the bytes themselves.
public struct ExternalBytes: Hashable, Sendable {
    /// An identifier the I/O layer understands (a file descriptor, a message file handle).
    public var source: UInt64
    public var offset: Int
    public var count: Int

    public init(source: UInt64, offset: Int, count: Int) {
        self.source = source
        self.offset = offset
        self.count = count
    }
}
