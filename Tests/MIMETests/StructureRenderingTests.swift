import MIME
import Testing

@Suite struct StructureRenderingTests {
    @Test(arguments: Corpus.all)
    func envelopeMatchesHandWrittenValue(_ message: CorpusMessage) {
        let structure = MessageStructure(parsing: message.bytes)
        #expect(String(decoding: structure.envelope, as: UTF8.self) == String(decoding: message.envelope, as: UTF8.self))
    }

    @Test(arguments: Corpus.all)
    func bodyStructureMatchesHandWrittenValue(_ message: CorpusMessage) {
        let structure = MessageStructure(parsing: message.bytes)
        #expect(String(decoding: structure.bodyStructure, as: UTF8.self) == message.bodyStructure)
    }

    @Test(arguments: Corpus.all)
    func bodyMatchesHandWrittenValue(_ message: CorpusMessage) {
        let structure = MessageStructure(parsing: message.bytes)
        #expect(String(decoding: structure.body, as: UTF8.self) == message.body)
    }

    @Test func eightBitSubjectIsSentAsLiteral() {
        let message = CorpusMessage.crlf("Subject: Caf\u{E9}!\n\n")
        let structure = MessageStructure(parsing: message)
        // "Café!" is 6 UTF-8 bytes; 8-bit data cannot be a quoted string.
        let expected = Array("(NIL {6}\r\n".utf8) + Array("Café!".utf8) + Array(" NIL NIL NIL NIL NIL NIL NIL NIL)".utf8)
        #expect(structure.envelope == expected)
    }

    @Test func groupsFromTheImaptestScriptAreMarked() {
        let message = CorpusMessage.crlf("Cc: group:;, group2: (foo) ;\n\n")
        let structure = MessageStructure(parsing: message)
        let text = String(decoding: structure.envelope, as: UTF8.self)
        #expect(text == "(NIL NIL NIL NIL NIL NIL ((NIL NIL \"group\" NIL)(NIL NIL NIL NIL)(NIL NIL \"group2\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)")
    }

    @Test(arguments: [
        ("Content-Transfer-Encoding: BASE64 (a comment)\n\nQQ==\n", "\"BASE64\" 6 1 NIL NIL NIL NIL)"),
        ("Content-Transfer-Encoding:\n\nx\n", "\"7BIT\" 3 1 NIL NIL NIL NIL)"),
    ])
    func transferEncodingIsItsToken(_ text: String, _ ending: String) {
        let structure = MessageStructure(parsing: CorpusMessage.crlf(text))
        #expect(String(decoding: structure.bodyStructure, as: UTF8.self) == Corpus.textPlain.dropLast(6) + ending)
    }
}

@Suite struct IMAPStringTests {
    @Test(arguments: [
        ("Subject: plain\n\n", "\"plain\""),
        ("Subject: a \"q\" \\ b\n\n", "\"a \\\"q\\\" \\\\ b\""),
        ("Subject: nul\u{0}byte\n\n", "{7}\r\nnulbyte"),
        ("Subject: caf\u{E9}\n\n", "{5}\r\ncaf\u{E9}"),
        ("Subject:\n folded\n\n", "\"folded\""),
    ])
    func subjectIsQuotedOrLiteral(_ header: String, _ rendered: String) {
        let structure = MessageStructure(parsing: CorpusMessage.crlf(header))
        let envelope = String(decoding: structure.envelope, as: UTF8.self)
        #expect(envelope.hasPrefix("(NIL " + rendered + " NIL"), "\(envelope)")
    }
}

@Suite struct MessageGlobalTests {
    /// RFC 9051 media-message: message/global carries ENVELOPE, BODY and lines too.
    @Test func messageGlobalIsAnEncapsulatedMessage() throws {
        let message = CorpusMessage.crlf("""
            Content-Type: message/global

            Subject: inner

            x

            """)
        let structure = MessageStructure(parsing: message)
        #expect(structure.parts[0].kind == .message)
        #expect(String(decoding: structure.body, as: UTF8.self) == """
            ("message" "global" NIL NIL NIL "7BIT" 21 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) \
            \(Corpus.textPlain) 3 1) 3)
            """)
        let header = try message.withUnsafeBytes { try structure.ranges(for: SectionSpec(part: [1], text: .header), in: $0) }
        #expect(header.count == "Subject: inner\r\n\r\n".utf8.count)
    }
}
