import MIME
import Testing

/// Hostile and broken input: the parse always finishes, ranges stay inside the
/// message, sections resolve, and nesting and part counts stay bounded.
@Suite struct RobustnessTests {
    /// Checks the invariants every parse must keep, whatever the input.
    static func checkInvariants(_ structure: MessageStructure, size: Int) {
        #expect(structure.messageSize == size)
        #expect(!structure.parts.isEmpty)
        for part in structure.parts {
            #expect(part.header.end <= size && part.body.end <= size)
            #expect(part.blankLineLength <= part.header.count)
            for field in structure.fields(of: part) {
                #expect(field.range.start >= part.header.start && field.range.end <= part.header.end)
            }
        }
        #expect(structure.bodyStructure.first == UInt8(ascii: "("))
        #expect(structure.bodyStructure.last == UInt8(ascii: ")"))
    }

    @Test func deepNestingIsCutAtTheLimit() {
        var text = ""
        for level in 0..<200 { text += "Content-Type: multipart/mixed; boundary=b\(level)x\n\n--b\(level)x\n" }
        text += "\ninnermost\n"
        let message = CorpusMessage.crlf(text)
        let structure = MessageStructure(parsing: message, limits: ParseLimits(maxDepth: 16))
        Self.checkInvariants(structure, size: message.count)
        #expect(structure.parts.count <= 17)
        #expect(String(decoding: structure.bodyStructure, as: UTF8.self).contains("\"APPLICATION\" \"OCTET-STREAM\""))
    }

    @Test func nestedMessagesAreCutAtTheLimit() {
        let message = CorpusMessage.crlf(String(repeating: "Content-Type: message/rfc822\n\n", count: 500) + "end\n")
        let structure = MessageStructure(parsing: message)
        Self.checkInvariants(structure, size: message.count)
        #expect(structure.parts.count == ParseLimits().maxDepth + 1)
    }

    @Test func partCountIsBounded() throws {
        let message = CorpusMessage.crlf("Content-Type: multipart/mixed; boundary=x\n\n"
            + String(repeating: "--x\n\na\n", count: 5000) + "--x--\n")
        let structure = MessageStructure(parsing: message, limits: ParseLimits(maxParts: 100))
        Self.checkInvariants(structure, size: message.count)
        #expect(structure.parts.count == 100)
        // The last recorded part absorbs the boundaries past the limit.
        let last = try structure.partIndex(for: [99])
        #expect(structure.parts[last].body.end > message.count - 20)
    }

    @Test func hugeHeaderLineAndNoLineEnds() {
        let message = Array(("Subject: " + String(repeating: "x", count: 1_000_000)).utf8)
        let structure = MessageStructure(parsing: message)
        Self.checkInvariants(structure, size: message.count)
        #expect(structure.envelope.count > 1_000_000)
    }

    @Test(arguments: [
        "", "\r", "\n", "\r\n", "--", ":", "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a", "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a--",
        "Content-Type: message/rfc822\r\n", "Content-Type: message/rfc822\r\n\r\n",
        "Content-Type: /\r\n\r\n", "Content-Type: text/plain; charset*0*=\r\n\r\n",
        "Content-Disposition: a; filename*=x'y\r\n\r\n", "From: <@\r\n\r\n", "To: ;;;:::,,,<<<>>>@@@\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n",
    ])
    func degenerateInputs(_ text: String) {
        let message = Array(text.utf8)
        let structure = MessageStructure(parsing: message)
        Self.checkInvariants(structure, size: message.count)
    }

    /// A deterministic generator, so a failure reproduces.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomMutationsOfTheCorpus() throws {
        var random = SplitMix64(state: 42)
        let tokens: [[UInt8]] = ["\r\n", "\n", "--", "--XX", "--outer", "--=_b1--", ":", ";", "\"", "(", "<", "=?", "\u{FF}"]
            .map { Array($0.utf8) }
        for round in 0..<400 {
            var message = Corpus.all[round % Corpus.all.count].bytes
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let position = Int.random(in: 0...message.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: message.insert(contentsOf: tokens.randomElement(using: &random)!, at: position)
                case 1: if position < message.count { message.remove(at: position) }
                default: message = Array(message[..<position])
                }
            }
            let structure = MessageStructure(parsing: message)
            Self.checkInvariants(structure, size: message.count)
            let decoded = try MessageStructure(serialized: structure.serialized())
            #expect(decoded == structure)
            try message.withUnsafeBytes { buffer in
                for index in structure.parts.indices.dropFirst() {
                    _ = structure.children(of: index)
                }
                _ = try structure.ranges(for: SectionSpec(text: .headerFieldsNot(["from"])), in: buffer)
                if let section = try? structure.binarySection(part: [1]) {
                    #expect(section.decodedSize(in: buffer) == section.decoded(from: buffer).count)
                }
            }
        }
    }
}
