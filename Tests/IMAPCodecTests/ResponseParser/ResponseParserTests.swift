import Testing
@testable import IMAPCodec

@Suite("ResponseParser")
struct ResponseParserTests {
    /// Encodings that drop information on purpose (control characters, an empty text,
    /// MODSEQ without numbers, ']' in a code's text) do not read back the same.
    static let lossless = encodeCases.filter { testCase in
        !["a BAD linebreak", "a OK .", "* SEARCH", "a OK [X-CODE ab] x"].contains(testCase.wire)
    }

    /// What the server encodes, the client reads back unchanged.
    @Test(arguments: lossless)
    func readsWhatTheEncoderWrites(_ testCase: EncodeCase) throws {
        var buffer = ResponseBuffer()
        ResponseEncoder(utf8Enabled: testCase.utf8).encode(testCase.response, into: &buffer)
        #expect(try ResponseParser.parseResponse(buffer.bytes[...]) == testCase.response)
    }

    /// Responses framed by the command framer parse the same, one byte at a time.
    @Test func framedResponsesParse() throws {
        let wire = Array(wire: "* 3 FETCH (UID 9 BODY[] {5}\r\nhello FLAGS (\\Seen))\r\na1 OK [READ-ONLY] done\r\n+ go on\r\n")
        let frames = frameEventsBytewise(wire).compactMap { event -> String? in
            if case .command(let text) = event { return text }
            return nil
        }
        #expect(try frames.map { try ResponseParser.parseResponse(Array(wire: $0)[...]) } == [
            .untagged(.fetch(3, [.uid(9), .bodySection(.whole, origin: nil, .bytes(Array("hello".utf8))), .flags([.seen])])),
            .tagged(tag: "a1", StatusResponse(.ok, code: .readOnly, "done")),
            .continuation(.text(ResponseText(text: "go on"))),
        ])
    }

    @Test func readsRFCExamples() throws {
        let examples: [(String, Response)] = [
            ("* OK [UNSEEN 12] Message 12 is first unseen", .untagged(.condition(StatusResponse(.ok, code: .other(name: "UNSEEN", text: "12"), "Message 12 is first unseen")))),
            ("* 12 FETCH (BODY[HEADER] {3}\r\nabc)", .untagged(.fetch(12, [.bodySection(SectionSpecifier(text: .header), origin: nil, .bytes(Array("abc".utf8)))]))),
            (
                "* 2 FETCH (ENVELOPE (\"date\" \"subj\" ((NIL NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL \"<id>\"))",
                .untagged(.fetch(2, [.envelope(PreEncodedBytes(Array("(\"date\" \"subj\" ((NIL NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL \"<id>\")".utf8)))]))
            ),
            ("* ESEARCH (TAG \"A282\") MIN 2 COUNT 3", .untagged(.esearch(ESearchResponse(correlator: "A282", byUID: false, items: [.min(2), .count(3)])))),
            ("+ ", .continuation(.base64(""))),
        ]
        for (wire, expected) in examples {
            #expect(try ResponseParser.parseResponse(Array(wire: wire + "\r\n")[...]) == expected)
        }
    }

    @Test func rejectsGarbage() {
        for wire in ["* FOO bar", "a1 MAYBE done", "* 1 FETCH (XYZ 1)", "* 1 FETCH (UID 1", "* LIST () \"ab\" x"] {
            #expect(throws: ParseFailure.self) { try ResponseParser.parseResponse(Array(wire: wire + "\r\n")[...]) }
        }
    }
}
