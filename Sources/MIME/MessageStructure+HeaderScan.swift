/// The field names of a `HEADER.FIELDS` or `HEADER.FIELDS.NOT` section, folded to
/// lowercase once for a whole FETCH rather than once per message.
public struct HeaderFieldSelection: Hashable, Sendable {
    /// The names in lowercase ASCII.
    let names: [[UInt8]]
    /// True for HEADER.FIELDS (keep the named fields), false for .NOT.
    public let keep: Bool
    /// True when every field it selects is kept by the header cache: a
    /// `HEADER.FIELDS` (not `.NOT`, which selects fields the cache drops) whose
    /// names are all in `CachedHeaderFields.fieldNames`.
    public let isAnsweredByCache: Bool
    /// The header cache's kinds (`CachedHeaderFields.kinds`) of the names, as bits.
    let cacheMask: UInt32

    public init(names: [String], keep: Bool) {
        self.names = names.map { FieldName.lowercased($0.utf8) }
        self.keep = keep
        isAnsweredByCache = keep && self.names.allSatisfy { CachedHeaderFields.keptNames.contains($0) }
        cacheMask = self.names.reduce(UInt32(0)) { mask, name in
            guard let kind = CachedHeaderFields.kinds[name] else { return mask }
            return mask | UInt32(1) << kind
        }
    }

    func selects(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        names.contains { FieldName.equals(name, $0) } == keep
    }
}

extension MessageStructure {
    /// `BODY[HEADER.FIELDS (names)]` or `HEADER.FIELDS.NOT` of the top-level
    /// message, read straight from serialized structure bytes: the same ranges
    /// `ranges(for:in:)` gives, without decoding the structure (no ENVELOPE,
    /// BODYSTRUCTURE, part or field arrays are built, so FETCH of a few header
    /// fields allocates nothing per message but the result).
    ///
    /// `message` must be the bytes the structure was made from; a structure of
    /// another size, format or version throws, and the caller decodes or parses.
    public static func topLevelHeaderFieldRanges(
        _ selection: HeaderFieldSelection, serialized: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(StructureDecodingError) -> SectionRanges {
        let bytes = MessageBytes(message)
        var ranges: [ByteRange] = []
        ranges.reserveCapacity(selection.keep ? selection.names.count + 1 : 16)
        let header = try forEachTopLevelField(serialized: serialized, messageSize: bytes.count) { field in
            if selection.selects(bytes.buffer(field.name)) { ranges.append(field.range) }
            return false
        }
        if header.blankLineLength > 0 {
            ranges.append(ByteRange(start: header.range.end - header.blankLineLength, end: header.range.end))
        }
        return SectionRanges(ranges)
    }

    /// The top-level header block and the length of its ending blank line.
    struct TopLevelHeaderBlock {
        var range: ByteRange
        var blankLineLength: Int
    }

    /// Calls `visit` with each field of the top-level header, in order, until it
    /// returns true, reading only what `serialized()` wrote before and among the
    /// fields: the rendered items and the other parts are stepped over.
    ///
    /// Every range handed to `visit` lies inside `0..<messageSize`, which must be
    /// the size recorded in the structure (else `.corrupt`): the caller's message
    /// bytes are then long enough for all of them.
    static func forEachTopLevelField(
        serialized: UnsafeRawBufferPointer, messageSize: Int, _ visit: (HeaderField) -> Bool
    ) throws(StructureDecodingError) -> TopLevelHeaderBlock {
        var reader = try partIndexReader(serialized: serialized, messageSize: messageSize)
        let size = messageSize
        let partCount = try reader.varint()
        guard partCount >= 1, partCount <= serialized.count else { throw .corrupt }
        // Part 0, laid out as `serialized()` writes it.
        let headerStart = try reader.varint()
        let headerEnd = headerStart + (try reader.varint())
        _ = try reader.signed()  // body start
        _ = try reader.varint()  // body length
        let flags = try reader.varint()
        let fieldStart = try reader.signed()
        let fieldEnd = fieldStart + (try reader.varint())
        for _ in 0..<2 { _ = try reader.varint() }  // first child, next sibling
        try reader.skip(try reader.varint())  // charset
        let blankLine = flags >> 6 & 3
        guard headerStart <= headerEnd, headerEnd <= size, blankLine <= headerEnd - headerStart,
              fieldStart >= 0, fieldStart <= fieldEnd
        else { throw .corrupt }
        for _ in 1..<partCount {
            for _ in 0..<9 { _ = try reader.varint() }
            try reader.skip(try reader.varint())
        }
        let fieldCount = try reader.varint()
        guard fieldEnd <= fieldCount else { throw .corrupt }
        var previousEnd = 0
        for index in 0..<fieldEnd {
            let field = try readFieldRecord(&reader, size: size, previousEnd: &previousEnd)
            if index >= fieldStart, visit(field) { break }
        }
        return TopLevelHeaderBlock(range: ByteRange(start: headerStart, end: headerEnd), blankLineLength: blankLine)
    }
}
