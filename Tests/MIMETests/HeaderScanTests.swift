import MIME
import Testing

/// `MessageStructure.topLevelHeaderFieldRanges` reads HEADER.FIELDS(.NOT) from the
/// serialized structure without decoding it: it must give exactly the ranges the
/// decoded structure gives, for every message of the corpus.
@Suite struct HeaderScanTests {
    static let nameLists: [[String]] = [
        ["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"], ["subject"], ["Content-Type", "x-latin"], ["nothing"], [],
    ]

    static let extraMessages: [[UInt8]] = [
        CorpusMessage.crlf("From: a@b.c\nSubject: folded\n  over two\nsubject: again\n\nbody\n"),
        Array("Subject: bare LF\nTo: x@y.z\n\nbody".utf8),
        CorpusMessage.crlf("Subject: no body"),
    ]

    static var messages: [[UInt8]] { Corpus.all.map(\.bytes) + extraMessages }

    @Test(arguments: Self.messages.indices, [true, false])
    func sameRangesAsTheDecodedStructure(_ index: Int, keep: Bool) throws {
        let message = Self.messages[index]
        let structure = MessageStructure(parsing: message)
        let serialized = structure.serialized()
        for names in Self.nameLists {
            let spec = SectionSpec(text: keep ? .headerFields(names) : .headerFieldsNot(names))
            let expected = try message.withUnsafeBytes { try structure.ranges(for: spec, in: $0) }
            let scanned = try serialized.withUnsafeBytes { serializedBytes in
                try message.withUnsafeBytes { body in
                    try MessageStructure.topLevelHeaderFieldRanges(
                        HeaderFieldSelection(names: names, keep: keep), serialized: serializedBytes, message: body)
                }
            }
            #expect(scanned == expected, "\(names)")
        }
    }

    @Test func fieldsAreThoseAskedInTheirOrderWithTheBlankLine() throws {
        let message = CorpusMessage.crlf("Subject: s\nFrom: f@x.y\nTo: t@x.y\nX-Other: o\n\nbody\n")
        let serialized = MessageStructure(parsing: message).serialized()
        let ranges = try serialized.withUnsafeBytes { serializedBytes in
            try message.withUnsafeBytes { body in
                try MessageStructure.topLevelHeaderFieldRanges(
                    HeaderFieldSelection(names: ["to", "SUBJECT"], keep: true), serialized: serializedBytes, message: body)
            }
        }
        let text = ranges.ranges.map { String(decoding: message[$0.start..<$0.end], as: UTF8.self) }.joined()
        #expect(text == "Subject: s\r\nTo: t@x.y\r\n\r\n")
    }

    @Test func aStructureOfOtherBytesOrFormatIsRefused() {
        let message = CorpusMessage.crlf("Subject: s\n\nbody\n")
        var serialized = MessageStructure(parsing: message).serialized()
        let longer = message + [0x41]
        #expect(throws: StructureDecodingError.corrupt) {
            try serialized.withUnsafeBytes { serializedBytes in
                try longer.withUnsafeBytes { body in
                    try MessageStructure.topLevelHeaderFieldRanges(
                        HeaderFieldSelection(names: ["subject"], keep: true), serialized: serializedBytes, message: body)
                }
            }
        }
        serialized[3] &+= 1  // another version
        #expect(throws: StructureDecodingError.unsupportedFormat) {
            try serialized.withUnsafeBytes { serializedBytes in
                try message.withUnsafeBytes { body in
                    try MessageStructure.topLevelHeaderFieldRanges(
                        HeaderFieldSelection(names: ["subject"], keep: true), serialized: serializedBytes, message: body)
                }
            }
        }
    }

    @Test func truncatedStructuresThrowInsteadOfReadingPastThem() {
        let message = Corpus.mixed.bytes
        let serialized = MessageStructure(parsing: message).serialized()
        for length in 0..<serialized.count {
            let cut = Array(serialized[0..<length])
            let result = cut.withUnsafeBytes { serializedBytes in
                message.withUnsafeBytes { body in
                    try? MessageStructure.topLevelHeaderFieldRanges(
                        HeaderFieldSelection(names: ["subject"], keep: true), serialized: serializedBytes, message: body)
                }
            }
            // A prefix that ends after the top-level fields may still answer; it
            // must then answer what the whole structure does.
            if let result {
                let whole = try? serialized.withUnsafeBytes { serializedBytes in
                    try message.withUnsafeBytes { body in
                        try MessageStructure.topLevelHeaderFieldRanges(
                            HeaderFieldSelection(names: ["subject"], keep: true), serialized: serializedBytes, message: body)
                    }
                }
                #expect(result == whole)
            }
        }
    }
}
