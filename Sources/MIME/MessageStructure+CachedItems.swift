/// The FETCH items that are stored pre-rendered in the serialized structure.
public enum RenderedItem: Int, Sendable, CaseIterable {
    case envelope = 0
    case bodyStructure = 1
    case body = 2
}

extension MessageStructure {
    /// Where `item`'s rendered bytes lie inside serialized structure bytes, found
    /// without decoding the rest: FETCH ENVELOPE / BODYSTRUCTURE / BODY can copy
    /// straight from the cached file. Throws like `init(serialized:)` on bytes of
    /// another format or version, or when truncated.
    public static func renderedItemRange(
        _ item: RenderedItem, inSerialized serialized: UnsafeRawBufferPointer
    ) throws(StructureDecodingError) -> Range<Int> {
        var offset = 0
        func varint() throws(StructureDecodingError) -> Int {
            var result = 0
            var shift = 0
            while true {
                guard offset < serialized.count, shift < 56 else { throw .corrupt }
                let byte = serialized[offset]
                offset += 1
                result |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        let version = try readableVersion(serialized)
        offset = magic.count + 1
        _ = try varint()  // message size
        if version >= 2 {
            // The lengths come first, the bytes after the index.
            let lengths = [try varint(), try varint(), try varint()]
            let indexLength = try varint()
            guard indexLength <= serialized.count - offset else { throw .corrupt }
            offset += indexLength
            for current in RenderedItem.allCases {
                let length = lengths[current.rawValue]
                guard length <= serialized.count - offset else { throw .corrupt }
                if current == item { return offset..<(offset + length) }
                offset += length
            }
            throw .corrupt
        }
        for current in RenderedItem.allCases {
            let length = try varint()
            guard length <= serialized.count - offset else { throw .corrupt }
            if current == item { return offset..<(offset + length) }
            offset += length
        }
        throw .corrupt
    }
}
