/// Encoded output owned by the caller: one contiguous byte buffer, plus the points where
/// bytes held elsewhere (``ExternalBytes``) go in between.
///
/// The I/O layer sends, in order, `bytes[0..<splices[0].offset]`, the first external
/// range, the bytes up to the next splice, and so on (``forEachSegment(_:)`` does the
/// walking). Reuse one buffer per session with ``removeAll()``, which keeps capacity.
public struct ResponseBuffer: Sendable {
    public internal(set) var bytes: [UInt8]
    public private(set) var splices: [Splice]

    /// External bytes that belong at `offset` in ``bytes``.
    public struct Splice: Hashable, Sendable {
        public var offset: Int
        public var external: ExternalBytes
    }

    /// One run of output: bytes from the buffer, or an external range.
    public enum Segment: Hashable, Sendable {
        case bytes(ArraySlice<UInt8>)
        case external(ExternalBytes)
    }

    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
        splices = []
    }

    /// Total bytes on the wire, external ranges included.
    public var wireByteCount: Int {
        splices.reduce(bytes.count) { $0 + $1.external.count }
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        splices.removeAll(keepingCapacity: true)
    }

    /// What is left once the output up to `offset` (with every external range) has
    /// gone: the bytes from `offset` on, after `prefix` (bytes taken from before
    /// `offset` but not sent). In place: the storage and its capacity stay.
    public mutating func keepBytes(from offset: Int, after prefix: [UInt8]) {
        precondition(offset >= 0 && offset <= bytes.count, "offset outside the buffer")
        splices.removeAll(keepingCapacity: true)
        bytes.replaceSubrange(0..<offset, with: prefix)
    }

    /// Gives the buffer's memory back when it holds nothing (after a flush, before a
    /// long wait such as IDLE); the next write allocates again.
    public mutating func releaseCapacityIfEmpty() {
        guard bytes.isEmpty, splices.isEmpty else { return }
        bytes = []
        splices = []
    }

    /// Visits the output in wire order; empty byte runs are skipped.
    public func forEachSegment(_ body: (Segment) throws -> Void) rethrows {
        var start = 0
        for splice in splices {
            if splice.offset > start { try body(.bytes(bytes[start..<splice.offset])) }
            try body(.external(splice.external))
            start = splice.offset
        }
        if bytes.count > start { try body(.bytes(bytes[start...])) }
    }

    /// Appends raw bytes, already in IMAP syntax.
    public mutating func writeBytes<Bytes: Sequence<UInt8>>(_ raw: Bytes) {
        bytes.append(contentsOf: raw)
    }

    // MARK: - Primitives for the encoder

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func write(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func writeText(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func writeExternal(_ external: ExternalBytes) {
        splices.append(Splice(offset: bytes.count, external: external))
    }

    mutating func writeNumber<Number: BinaryInteger>(_ value: Number) {
        // One implementation of the digits for every response (ReservedBytes).
        let value = UInt64(value)
        writeReserved(upTo: ReservedBytes.maximumNumberLength) { $0.writeNumber(value) }
    }

    /// Two digits of `value`, clamped to 0...99 (one implementation: ReservedBytes).
    mutating func writeTwoDigits(_ value: Int) {
        writeReserved(upTo: 2) { $0.writeTwoDigits(value) }
    }

    mutating func writeCRLF() {
        bytes.append(0x0D)
        bytes.append(0x0A)
    }
}
