import MIME
import Testing

/// Structures cached by builds before version 2 (rendered items before the index)
/// must still decode, and the in-place readers must find the same things in them.
@Suite struct SerializationVersionTests {
    /// The version 1 layout of the same structure, rebuilt from version 2 bytes.
    static func versionOne(_ current: [UInt8]) -> [UInt8] {
        var offset = 4
        func varint() -> Int {
            var result = 0, shift = 0
            while true {
                let byte = current[offset]
                offset += 1
                result |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func encoded(_ value: Int) -> [UInt8] {
            var rest = value, bytes: [UInt8] = []
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            return bytes + [UInt8(rest)]
        }
        let size = varint()
        let lengths = [varint(), varint(), varint()]
        let indexLength = varint()
        let index = Array(current[offset..<(offset + indexLength)])
        offset += indexLength
        var old = Array(current[0..<3]) + [1] + encoded(size)
        for length in lengths {
            old += encoded(length) + current[offset..<(offset + length)]
            offset += length
        }
        return old + index
    }

    @Test(arguments: Corpus.all)
    func versionOneStructuresStillRead(_ message: CorpusMessage) throws {
        let structure = MessageStructure(parsing: message.bytes)
        let current = structure.serialized()
        #expect(current[3] == MessageStructure.serializationVersion)
        let old = Self.versionOne(current)
        #expect(old != current && old.count < current.count)  // no index length in version 1
        #expect(try MessageStructure(serialized: old) == structure)
        try old.withUnsafeBytes { buffer in
            for item in RenderedItem.allCases {
                let range = try MessageStructure.renderedItemRange(item, inSerialized: buffer)
                let expected = [structure.envelope, structure.bodyStructure, structure.body][item.rawValue]
                #expect(Array(old[range]) == expected)
            }
            let names = ["From", "subject", "content-type"]
            let spec = SectionSpec(text: .headerFields(names))
            let expected = try message.bytes.withUnsafeBytes { try structure.ranges(for: spec, in: $0) }
            let scanned = try message.bytes.withUnsafeBytes { body in
                try MessageStructure.topLevelHeaderFieldRanges(
                    HeaderFieldSelection(names: names, keep: true), serialized: buffer, message: body)
            }
            #expect(scanned == expected)
        }
    }
}
