import MIME
import Testing

/// `HeaderSearch` answers header SEARCH keys from the serialized structure, with
/// shortcuts for plain values: every answer must equal the full decoding path's
/// (`MessageStructure.contains(_:in: .header(name), message:)`).
@Suite struct HeaderSearchTests {
    static let messages: [[UInt8]] = Corpus.all.map(\.bytes) + [
        CorpusMessage.crlf("""
            From: sender-0042 <sender-0042@corpus.invalid>
            To: load1@load.invalid
            Subject: corpus message 42 about topic-07
            Cc: "Smith, John" <john.smith@example.com>, jo (the boss) <jo@x.org>
            Bcc: no-at-sign, a . b @ c . d
            X-Folded: first
              second

            body

            """),
        CorpusMessage.crlf("From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\nSubject: =?utf-8?q?caf=C3=A9?= time\n\n."),
        CorpusMessage.crlf("From: Zoë <zoe@example.com>\nSubject: naïve\n\n."),
    ]

    static let fields = ["From", "to", "CC", "Bcc", "Subject", "Reply-To", "Sender", "X-Folded", "X-Missing"]

    static let keys = [
        "", "sender-0042", "SENDER-0042@CORPUS", "corpus.invalid", "topic-07", "message 42", "smith", "smith, john",
        "john.smith", "jo@x.org", "the boss", "boss", "no-at-sign", "missing", "missing_domain", "domain", "a.b@c.d",
        "first second", "firstsecond", "jörg", "JÖRG", "café", "caf=c3", "zoë", "naïve", "joe", "public",
        "odd local", "andré", "ann@[10.0.0.1]", "c.org", "undisclosed", "@", " ", "<", "x",
    ]

    @Test(arguments: Self.messages.indices)
    func sameAnswersAsTheFullDecoding(_ index: Int) throws {
        let message = Self.messages[index]
        let structure = MessageStructure(parsing: message)
        let serialized = structure.serialized()
        for field in Self.fields {
            for key in Self.keys {
                let expected = message.withUnsafeBytes {
                    structure.contains(SearchKey(key), in: .header(field), message: $0)
                }
                let answer = try serialized.withUnsafeBytes { serializedBytes in
                    try message.withUnsafeBytes { body in
                        try HeaderSearch(field: field, text: key).matches(serialized: serializedBytes, message: body)
                    }
                }
                #expect(answer == expected, "\(field) \(key)")
            }
        }
    }

    @Test(arguments: [
        ("From", "sender-0042", true), ("from", "corpus.INVALID", true), ("Subject", "TOPIC-07", true),
        ("Subject", "topic-08", false), ("Cc", "smith, john", true), ("Bcc", "missing_domain", true),
        ("X-Folded", "first  second", true), ("X-Folded", "first   second", false), ("X-Missing", "", false),
        ("To", "", true),
    ])
    func knownAnswers(_ field: String, _ key: String, _ found: Bool) throws {
        let message = Self.messages[Corpus.all.count]
        let serialized = MessageStructure(parsing: message).serialized()
        let answer = try serialized.withUnsafeBytes { serializedBytes in
            try message.withUnsafeBytes { body in
                try HeaderSearch(field: field, text: key).matches(serialized: serializedBytes, message: body)
            }
        }
        #expect(answer == found)
    }

    @Test func aStructureOfAnotherMessageIsRefused() {
        let message = CorpusMessage.crlf("From: a@b.c\n\n.")
        let serialized = MessageStructure(parsing: CorpusMessage.crlf("From: a@b.cd\n\n.")).serialized()
        #expect(throws: StructureDecodingError.corrupt) {
            try serialized.withUnsafeBytes { serializedBytes in
                try message.withUnsafeBytes { try HeaderSearch(field: "From", text: "a").matches(serialized: serializedBytes, message: $0) }
            }
        }
    }
}
