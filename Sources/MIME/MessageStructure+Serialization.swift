/// Why serialized structure bytes could not be decoded; the caller re-parses.
public enum StructureDecodingError: Error, Hashable, Sendable {
    /// Not this format (wrong magic) or a version this build does not read.
    case unsupportedFormat
    /// Truncated or inconsistent bytes.
    case corrupt
}

extension MessageStructure {
    /// Version of the serialized form; bumped whenever the layout or the rendering
    /// rules change, so cached structures are re-parsed rather than misread.
    public static let serializationVersion: UInt8 = 1

    static let magic: [UInt8] = Array("MSx".utf8)

    /// Magic and version: the first bytes of every serialized structure.
    static var serializationHeader: [UInt8] { magic + [serializationVersion] }

    /// A compact binary form of this structure, to be stored beside the message.
    ///
    /// Layout: "MSx", version, then LEB128 varints — message size, the three
    /// rendered items (length + bytes; first, so FETCH finds them early), the parts
    /// (ranges as deltas), and the header fields (offsets as deltas).
    public func serialized() -> [UInt8] {
        var out = ByteWriter()
        out.bytes.reserveCapacity(envelope.count + bodyStructure.count + body.count + parts.count * 12 + fields.count * 6 + 16)
        out.bytes += Self.magic
        out.bytes.append(Self.serializationVersion)
        out.varint(messageSize)
        for blob in [envelope, bodyStructure, body] {
            out.varint(blob.count)
            out.bytes += blob
        }
        out.varint(parts.count)
        var previousFieldEnd = 0
        for part in parts {
            out.varint(part.header.start)
            out.varint(part.header.count)
            out.signed(part.body.start - part.header.end)
            out.varint(part.body.count)
            let flags = Int(part.kind.rawValue) | Int(part.encoding.rawValue) << 2 | (part.isText ? 1 << 5 : 0)
                | part.blankLineLength << 6
            out.varint(flags)
            out.signed(part.fieldRange.lowerBound - previousFieldEnd)
            out.varint(part.fieldRange.count)
            previousFieldEnd = part.fieldRange.upperBound
            out.varint(part.firstChild.map { $0 + 1 } ?? 0)
            out.varint(part.nextSibling.map { $0 + 1 } ?? 0)
            out.varint(part.charset.utf8.count)
            out.bytes += part.charset.utf8
        }
        out.varint(fields.count)
        var previousEnd = 0
        for field in fields {
            out.signed(field.range.start - previousEnd)
            out.varint(field.nameLength)
            out.varint(field.valueStart - field.range.start)
            out.varint(field.valueEnd - field.valueStart)
            out.varint(field.range.end - field.valueEnd)
            previousEnd = field.range.end
        }
        return out.bytes
    }

    /// Decodes bytes made by `serialized()`, checking every range and index
    /// against the recorded `messageSize`. The caller should also check that
    /// `messageSize` equals the size of the message file it will slice, so a cache
    /// paired with the wrong file is re-parsed rather than trusted.
    public init(serialized: UnsafeRawBufferPointer) throws(StructureDecodingError) {
        var reader = ByteReader(serialized)
        guard try reader.bytes(Self.magic.count) == Self.magic,
              try reader.byte() == Self.serializationVersion
        else { throw .unsupportedFormat }
        let size = try reader.varint()
        let envelope = try reader.bytes(try reader.varint())
        let bodyStructure = try reader.bytes(try reader.varint())
        let body = try reader.bytes(try reader.varint())
        let partCount = try reader.varint()
        guard partCount >= 1, partCount <= serialized.count else { throw .corrupt }
        var parts: [MessagePart] = []
        parts.reserveCapacity(partCount)
        var previousFieldEnd = 0
        for _ in 0..<partCount {
            let headerStart = try reader.varint()
            let headerEnd = headerStart + (try reader.varint())
            let bodyStart = headerEnd + (try reader.signed())
            let bodyEnd = bodyStart + (try reader.varint())
            let flags = try reader.varint()
            let fieldStart = previousFieldEnd + (try reader.signed())
            let fieldEnd = fieldStart + (try reader.varint())
            previousFieldEnd = fieldEnd
            let firstChild = try reader.varint()
            let nextSibling = try reader.varint()
            let charset = String(decoding: try reader.bytes(try reader.varint()), as: UTF8.self)
            guard headerStart <= headerEnd, headerEnd <= size, bodyStart >= 0, bodyStart <= bodyEnd, bodyEnd <= size,
                  fieldStart >= 0, fieldStart <= fieldEnd,
                  let kind = PartKind(rawValue: UInt8(flags & 3)),
                  let encoding = TransferEncoding(rawValue: UInt8(flags >> 2 & 7)),
                  firstChild <= partCount, nextSibling <= partCount
            else { throw .corrupt }
            let blankLine = flags >> 6 & 3
            guard blankLine <= headerEnd - headerStart else { throw .corrupt }
            parts.append(MessagePart(
                header: ByteRange(start: headerStart, end: headerEnd), body: ByteRange(start: bodyStart, end: bodyEnd),
                kind: kind, encoding: encoding, isText: flags & (1 << 5) != 0, charset: charset,
                blankLineLength: blankLine, fieldRange: fieldStart..<fieldEnd,
                firstChild: firstChild == 0 ? nil : firstChild - 1,
                nextSibling: nextSibling == 0 ? nil : nextSibling - 1))
        }
        let fieldCount = try reader.varint()
        guard fieldCount <= serialized.count, previousFieldEnd <= fieldCount else { throw .corrupt }
        var fields: [HeaderField] = []
        fields.reserveCapacity(fieldCount)
        var previousEnd = 0
        for _ in 0..<fieldCount {
            let start = previousEnd + (try reader.signed())
            let nameLength = try reader.varint()
            let valueStart = start + (try reader.varint())
            let valueEnd = valueStart + (try reader.varint())
            let end = valueEnd + (try reader.varint())
            guard start >= 0, start + nameLength <= valueStart, end <= size else { throw .corrupt }
            fields.append(HeaderField(range: ByteRange(start: start, end: end), nameLength: nameLength,
                                      valueStart: valueStart, valueEnd: valueEnd))
            previousEnd = end
        }
        guard reader.isAtEnd else { throw .corrupt }
        // Child links must point forward, or a corrupt file could make a cycle.
        for (index, part) in parts.enumerated() {
            if let child = part.firstChild, child <= index { throw .corrupt }
            if let sibling = part.nextSibling, sibling <= index { throw .corrupt }
        }
        self.init(messageSize: size, parts: parts, fields: fields,
                  envelope: envelope, bodyStructure: bodyStructure, body: body)
    }

    /// Decodes bytes made by `serialized()`.
    public init(serialized: [UInt8]) throws(StructureDecodingError) {
        let result = serialized.withUnsafeBytes { buffer in
            Result { () throws(StructureDecodingError) -> MessageStructure in try MessageStructure(serialized: buffer) }
        }
        self = try result.get()
    }
}

/// LEB128 varint output.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: Int) {
        precondition(value >= 0)
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A zigzag-encoded signed value.
    mutating func signed(_ value: Int) {
        varint(Int(bitPattern: UInt(bitPattern: (value << 1) ^ (value >> (Int.bitWidth - 1)))))
    }
}

/// Bounds-checked reading of `ByteWriter` output.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset == buffer.count }

    @inline(__always)
    mutating func byte() throws(StructureDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw .corrupt }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func bytes(_ count: Int) throws(StructureDecodingError) -> [UInt8] {
        guard count >= 0, count <= buffer.count - offset else { throw .corrupt }
        defer { offset += count }
        return Array(buffer[offset..<(offset + count)])
    }

    /// Steps over `count` bytes without copying them.
    @inline(__always)
    mutating func skip(_ count: Int) throws(StructureDecodingError) {
        guard count >= 0, count <= buffer.count - offset else { throw .corrupt }
        offset += count
    }

    @inline(__always)
    mutating func varint() throws(StructureDecodingError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 56 else { throw .corrupt }  // keeps every value far below Int.max
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { break }
            shift += 7
        }
        return Int(result)
    }

    @inline(__always)
    mutating func signed() throws(StructureDecodingError) -> Int {
        let raw = UInt(try varint())
        return Int(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}
