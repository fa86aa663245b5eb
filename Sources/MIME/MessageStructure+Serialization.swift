/// Why serialized structure bytes could not be decoded; the caller re-parses.
public enum StructureDecodingError: Error, Hashable, Sendable {
    /// Not this format (wrong magic) or a version this build does not read.
    case unsupportedFormat
    /// Truncated or inconsistent bytes.
    case corrupt
}

extension MessageStructure {
    /// Version of the serialized form written; bumped whenever the layout or the
    /// rendering rules change, so cached structures are re-parsed rather than
    /// misread. Version 2 moved the part and field index before the rendered
    /// items (SEARCH and HEADER.FIELDS read the index of every message: it now
    /// sits in the structure's first cache lines); version 1, written by older
    /// builds, is still read.
    public static let serializationVersion: UInt8 = 2

    static let magic: [UInt8] = Array("MSx".utf8)

    /// The version of `serialized` when it is a structure this build reads.
    static func readableVersion(_ serialized: UnsafeRawBufferPointer) throws(StructureDecodingError) -> UInt8 {
        guard serialized.count > magic.count,
              serialized[0] == magic[0], serialized[1] == magic[1], serialized[2] == magic[2]
        else { throw .unsupportedFormat }
        let version = serialized[magic.count]
        guard version == 1 || version == 2 else { throw .unsupportedFormat }
        return version
    }

    /// A reader placed at the part count of `serialized`'s index, after checking the
    /// format and that the structure was made from a message of `messageSize` bytes
    /// (else `.corrupt`): the start of every scan that reads the index in place
    /// (`forEachTopLevelField`, `BodySearch`) without decoding the structure.
    static func partIndexReader(
        serialized: UnsafeRawBufferPointer, messageSize: Int
    ) throws(StructureDecodingError) -> ByteReader {
        let version = try readableVersion(serialized)
        var reader = ByteReader(serialized)
        try reader.skip(magic.count + 1)
        let size = try reader.varint()
        guard size == messageSize else { throw .corrupt }
        if version == 1 {
            for _ in 0..<3 { try reader.skip(try reader.varint()) }  // ENVELOPE, BODYSTRUCTURE, BODY
        } else {
            for _ in 0..<4 { _ = try reader.varint() }  // their lengths, the index length
        }
        return reader
    }

    /// A compact binary form of this structure, to be stored beside the message.
    ///
    /// Layout (version 2): "MSx", version, then LEB128 varints — message size, the
    /// lengths of the three rendered items, the length of the index, the index
    /// (the parts, ranges as deltas; the header fields, offsets as deltas), then
    /// the rendered items' bytes. Version 1 had the rendered items (length +
    /// bytes) right after the size, then the parts and fields.
    public func serialized() -> [UInt8] {
        var index = ByteWriter()
        index.bytes.reserveCapacity(parts.count * 12 + fields.count * 6 + 4)
        var previousFieldEnd = 0
        index.varint(parts.count)
        for part in parts {
            index.varint(part.header.start)
            index.varint(part.header.count)
            index.signed(part.body.start - part.header.end)
            index.varint(part.body.count)
            let flags = Int(part.kind.rawValue) | Int(part.encoding.rawValue) << 2 | (part.isText ? 1 << 5 : 0)
                | part.blankLineLength << 6
            index.varint(flags)
            index.signed(part.fieldRange.lowerBound - previousFieldEnd)
            index.varint(part.fieldRange.count)
            previousFieldEnd = part.fieldRange.upperBound
            index.varint(part.firstChild.map { $0 + 1 } ?? 0)
            index.varint(part.nextSibling.map { $0 + 1 } ?? 0)
            index.varint(part.charset.utf8.count)
            index.bytes += part.charset.utf8
        }
        index.varint(fields.count)
        var previousEnd = 0
        for field in fields {
            index.signed(field.range.start - previousEnd)
            index.varint(field.nameLength)
            index.varint(field.valueStart - field.range.start)
            index.varint(field.valueEnd - field.valueStart)
            index.varint(field.range.end - field.valueEnd)
            previousEnd = field.range.end
        }
        var out = ByteWriter()
        out.bytes.reserveCapacity(envelope.count + bodyStructure.count + body.count + index.bytes.count + 24)
        out.bytes += Self.magic
        out.bytes.append(Self.serializationVersion)
        out.varint(messageSize)
        for blob in [envelope, bodyStructure, body] { out.varint(blob.count) }
        out.varint(index.bytes.count)
        out.bytes += index.bytes
        for blob in [envelope, bodyStructure, body] { out.bytes += blob }
        return out.bytes
    }

    /// Decodes bytes made by `serialized()`, checking every range and index
    /// against the recorded `messageSize`. The caller should also check that
    /// `messageSize` equals the size of the message file it will slice, so a cache
    /// paired with the wrong file is re-parsed rather than trusted.
    public init(serialized: UnsafeRawBufferPointer) throws(StructureDecodingError) {
        let version = try Self.readableVersion(serialized)
        var reader = ByteReader(serialized)
        try reader.skip(Self.magic.count + 1)
        let size = try reader.varint()
        let envelope: [UInt8], bodyStructure: [UInt8], body: [UInt8]
        let parts: [MessagePart], fields: [HeaderField]
        if version == 1 {
            envelope = try reader.bytes(try reader.varint())
            bodyStructure = try reader.bytes(try reader.varint())
            body = try reader.bytes(try reader.varint())
            (parts, fields) = try Self.decodeIndex(&reader, size: size, limit: serialized.count)
        } else {
            let lengths = (try reader.varint(), try reader.varint(), try reader.varint())
            let indexLength = try reader.varint()
            let indexEnd = reader.offset + indexLength
            guard indexLength <= serialized.count - reader.offset else { throw .corrupt }
            (parts, fields) = try Self.decodeIndex(&reader, size: size, limit: serialized.count)
            guard reader.offset == indexEnd else { throw .corrupt }
            envelope = try reader.bytes(lengths.0)
            bodyStructure = try reader.bytes(lengths.1)
            body = try reader.bytes(lengths.2)
        }
        guard reader.isAtEnd else { throw .corrupt }
        self.init(messageSize: size, parts: parts, fields: fields,
                  envelope: envelope, bodyStructure: bodyStructure, body: body)
    }

    /// The parts and header fields, as `serialized()` writes them; every range is
    /// checked against `size`.
    private static func decodeIndex(
        _ reader: inout ByteReader, size: Int, limit: Int
    ) throws(StructureDecodingError) -> ([MessagePart], [HeaderField]) {
        let serializedCount = limit
        let partCount = try reader.varint()
        guard partCount >= 1, partCount <= serializedCount else { throw .corrupt }
        var parts: [MessagePart] = []
        parts.reserveCapacity(partCount)
        var previousFieldEnd = 0
        for index in 0..<partCount {
            var (part, charset) = try readPartRecord(
                &reader, index: index, partCount: partCount, size: size, previousFieldEnd: &previousFieldEnd)
            part.charset = String(decoding: reader.buffer[charset], as: UTF8.self)
            parts.append(part)
        }
        let fieldCount = try reader.varint()
        guard fieldCount <= serializedCount, previousFieldEnd <= fieldCount else { throw .corrupt }
        var fields: [HeaderField] = []
        fields.reserveCapacity(fieldCount)
        var previousEnd = 0
        for _ in 0..<fieldCount {
            fields.append(try readFieldRecord(&reader, size: size, previousEnd: &previousEnd))
        }
        return (parts, fields)
    }

    /// One record of the index's part table, checked: ranges inside the message of
    /// `size` bytes, known kind and encoding, and child links that point forward (a
    /// corrupt file could otherwise make a cycle). The part's charset is left empty;
    /// its bytes are at the returned range of `reader.buffer`.
    static func readPartRecord(
        _ reader: inout ByteReader, index: Int, partCount: Int, size: Int, previousFieldEnd: inout Int
    ) throws(StructureDecodingError) -> (MessagePart, charset: Range<Int>) {
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
        let charsetLength = try reader.varint()
        let charsetStart = reader.offset
        try reader.skip(charsetLength)
        let blankLine = flags >> 6 & 3
        guard headerEnd <= size, bodyStart >= 0, bodyStart <= bodyEnd, bodyEnd <= size,
              fieldStart >= 0, fieldStart <= fieldEnd, blankLine <= headerEnd - headerStart,
              let kind = PartKind(rawValue: UInt8(flags & 3)),
              let encoding = TransferEncoding(rawValue: UInt8(flags >> 2 & 7)),
              firstChild <= partCount, nextSibling <= partCount,
              firstChild == 0 || firstChild - 1 > index, nextSibling == 0 || nextSibling - 1 > index
        else { throw .corrupt }
        let part = MessagePart(
            header: ByteRange(start: headerStart, end: headerEnd), body: ByteRange(start: bodyStart, end: bodyEnd),
            kind: kind, encoding: encoding, isText: flags & (1 << 5) != 0, charset: "",
            blankLineLength: blankLine, fieldRange: fieldStart..<fieldEnd,
            firstChild: firstChild == 0 ? nil : firstChild - 1,
            nextSibling: nextSibling == 0 ? nil : nextSibling - 1)
        return (part, charsetStart..<(charsetStart + charsetLength))
    }

    /// One record of the index's field table, checked against the message size.
    static func readFieldRecord(
        _ reader: inout ByteReader, size: Int, previousEnd: inout Int
    ) throws(StructureDecodingError) -> HeaderField {
        let start = previousEnd + (try reader.signed())
        let nameLength = try reader.varint()
        let valueStart = start + (try reader.varint())
        let valueEnd = valueStart + (try reader.varint())
        let end = valueEnd + (try reader.varint())
        guard start >= 0, start + nameLength <= valueStart, end <= size else { throw .corrupt }
        previousEnd = end
        return HeaderField(range: ByteRange(start: start, end: end), nameLength: nameLength,
                           valueStart: valueStart, valueEnd: valueEnd)
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
