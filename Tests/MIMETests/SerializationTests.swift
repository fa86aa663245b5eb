import MIME
import Testing

@Suite struct SerializationTests {
    @Test(arguments: Corpus.all)
    func roundTripPreservesEverything(_ message: CorpusMessage) throws {
        let structure = MessageStructure(parsing: message.bytes)
        let bytes = structure.serialized()
        let decoded = try MessageStructure(serialized: bytes)
        #expect(decoded == structure)
    }

    @Test func serializedFormIsCompact() throws {
        let structure = MessageStructure(parsing: Corpus.mixed.bytes)
        let rendered = structure.envelope.count + structure.bodyStructure.count + structure.body.count
        // The index (parts + fields) costs a few bytes per entry beyond the rendered text.
        #expect(structure.serialized().count < rendered + 8 * (structure.parts.count * 8 + structure.fields.count))
    }

    @Test(arguments: Corpus.all)
    func everyTruncationIsRejected(_ message: CorpusMessage) {
        let bytes = MessageStructure(parsing: message.bytes).serialized()
        for length in 0..<bytes.count {
            #expect(throws: StructureDecodingError.self) { try MessageStructure(serialized: Array(bytes[..<length])) }
        }
    }

    @Test func otherVersionsAndFormatsAreUnsupported() {
        var bytes = MessageStructure(parsing: Corpus.simple.bytes).serialized()
        bytes[3] = MessageStructure.serializationVersion &+ 1
        #expect(throws: StructureDecodingError.unsupportedFormat) { try MessageStructure(serialized: bytes) }
        #expect(throws: StructureDecodingError.unsupportedFormat) { try MessageStructure(serialized: Array("MIME".utf8)) }
    }

    @Test func flippedBytesNeverCrashTheDecoder() {
        let original = MessageStructure(parsing: Corpus.nested.bytes).serialized()
        // Every byte position, a few values each: decoded or rejected, never a trap.
        for position in original.indices {
            for value: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF] {
                var bytes = original
                bytes[position] = value
                if let decoded = try? MessageStructure(serialized: bytes) {
                    for index in decoded.parts.indices { _ = decoded.children(of: index) }
                }
            }
        }
    }
}

@Suite struct CachedItemTests {
    @Test(arguments: Corpus.all)
    func renderedItemsAreFoundWithoutDecoding(_ message: CorpusMessage) throws {
        let structure = MessageStructure(parsing: message.bytes)
        let bytes = structure.serialized()
        try bytes.withUnsafeBytes { buffer in
            for (item, expected) in [(RenderedItem.envelope, structure.envelope),
                                     (.bodyStructure, structure.bodyStructure), (.body, structure.body)] {
                let range = try MessageStructure.renderedItemRange(item, inSerialized: buffer)
                #expect(Array(bytes[range]) == expected)
            }
        }
    }

    @Test func foreignBytesAreRejected() {
        _ = Array("not a structure".utf8).withUnsafeBytes { buffer in
            #expect(throws: StructureDecodingError.unsupportedFormat) {
                try MessageStructure.renderedItemRange(.envelope, inSerialized: buffer)
            }
        }
    }
}
