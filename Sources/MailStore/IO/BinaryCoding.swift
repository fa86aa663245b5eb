/// Little-endian encoding for the journal and snapshot. The store runs on
/// little-endian hosts only (x86-64, arm64), so columns are copied as raw memory.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func put(_ string: String) {
        let utf8 = Array(string.utf8)
        put(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func put(_ set: UIDSet) {
        put(UInt32(set.ranges.count))
        for range in set.ranges {
            put(range.lowerBound)
            put(range.upperBound)
        }
    }

    /// Appends an array of integers as raw little-endian memory.
    mutating func putColumn<T: FixedWidthInteger>(_ column: [T]) {
        column.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `ByteWriter` wrote; every read checks bounds and throws `.truncated`
/// so that a torn record is detected, never read past.
struct ByteReader {
    enum Failure: Error { case truncated, invalid }

    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) throws(Failure) -> T {
        guard remaining >= MemoryLayout<T>.size else { throw .truncated }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func getString() throws(Failure) -> String {
        let length = Int(try get(UInt32.self))
        guard remaining >= length else { throw .truncated }
        let string = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        offset += length
        return string
    }

    mutating func getBytes(count: Int) throws(Failure) -> [UInt8] {
        guard remaining >= count else { throw .truncated }
        defer { offset += count }
        return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    }

    mutating func getUIDSet() throws(Failure) -> UIDSet {
        let count = Int(try get(UInt32.self))
        guard remaining >= count * 8 else { throw .truncated }
        var ranges: [ClosedRange<UID>] = []
        ranges.reserveCapacity(count)
        for _ in 0..<count {
            let low: UInt32 = try get(), high: UInt32 = try get()
            guard low <= high else { throw .invalid }
            ranges.append(low...high)
        }
        return UIDSet(ranges)
    }

    /// Reads `count` integers stored as raw little-endian memory.
    /// `capacity` ≥ `count` leaves room for rows appended later without a copy.
    mutating func getColumn<T: FixedWidthInteger>(_: T.Type, count: Int, capacity: Int = 0) throws(Failure) -> [T] {
        let length = count * MemoryLayout<T>.stride
        guard remaining >= length else { throw .truncated }
        let start = offset
        let source = bytes
        let column = [T](unsafeUninitializedCapacity: Swift.max(count, capacity)) { buffer, initialized in
            if length > 0 {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[start..<start + length]))
            }
            initialized = count
        }
        offset += length
        return column
    }
}
