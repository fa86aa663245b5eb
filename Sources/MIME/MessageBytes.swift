import Glibc

/// A read-only window onto a message's bytes, used by every scanner in this module.
///
/// Invariants: `base` points at `count` readable bytes (or is nil when `count` is 0)
/// that stay valid and unchanged for as long as this value is used. It is created
/// from the caller's buffer inside one call (`withUnsafeBytes`, an mmap'd file) and
/// never stored beyond it; all indexing is bounds-checked by the callers' loops
/// against `count`, and the raw pointer never escapes this type.
struct MessageBytes {
    private let base: UnsafePointer<UInt8>?
    /// Number of bytes in the message.
    let count: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        count = buffer.count
    }

    /// The byte at `index`; `index` must be in `0..<count`.
    @inline(__always)
    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return base.unsafelyUnwrapped[index]
    }

    /// Offset of the first LF at or after `from`, or nil when there is none.
    @inline(__always)
    func firstLF(from: Int) -> Int? {
        guard from < count, let base else { return nil }
        guard let hit = memchr(base + from, 0x0A, count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Offset just past the line starting at `from`: after its LF, or `count`.
    @inline(__always)
    func lineEnd(from: Int) -> Int {
        if let lf = firstLF(from: from) { return lf + 1 }
        return count
    }

    /// Number of LF bytes in `range`.
    func countLF(in range: ByteRange) -> Int {
        guard let base, range.count > 0 else { return 0 }
        var lines = 0
        var index = range.start
        // Sixteen bytes at a time: SIMD compare, then a popcount of the lanes.
        let newline = SIMD16<UInt8>(repeating: 0x0A)
        while index + 16 <= range.end {
            let raw = UnsafeRawPointer(base + index)
            let chunk = raw.loadUnaligned(as: SIMD16<UInt8>.self)
            let hits = SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: chunk .== newline)
            lines &+= Int(hits.wrappedSum())
            index += 16
        }
        while index < range.end {
            if base[index] == 0x0A { lines += 1 }
            index += 1
        }
        return lines
    }

    /// Copies `range` into an array.
    func copy(_ range: ByteRange) -> [UInt8] {
        guard let base, range.count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: base + range.start, count: range.count))
    }

    /// A typed buffer over `range`, valid under the same invariants as `self`.
    func buffer(_ range: ByteRange) -> UnsafeBufferPointer<UInt8> {
        guard let base, range.count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + range.start, count: range.count)
    }

    /// True when the bytes at `offset` equal `literal` (compared exactly).
    func hasPrefix(_ literal: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + literal.count <= count, let base else { return false }
        return memcmp(base + offset, literal, literal.count) == 0
    }
}
