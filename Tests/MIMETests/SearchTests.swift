import MIME
import Testing

@Suite struct SearchTests {
    struct Case: CustomStringConvertible, Sendable {
        var message: [UInt8]
        var key: String
        var scope: SearchScope
        var found: Bool
        var description: String { "\(key) in \(scope) → \(found)" }
    }

    static let windows1252 = CorpusMessage.crlf("Content-Type: text/plain; charset=windows-1252\n\n")
        + [0x80, 0x20, 0x35, 0x0D, 0x0A]  // "€ 5" in Windows-1252
    static let base64Text = CorpusMessage.crlf("""
        Subject: =?utf-8?q?a?= =?utf-8?q?b?= c =?ISO-8859-1?B?6Q==?=
        X-Split: =?utf-8?Q?=C3?= =?utf-8?Q?=A9t=C3=A9?=
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: base64

        w4lDT0xFIG1hdGVybmVsbGU=

        """)

    static let cases: [Case] = [
        Case(message: Corpus.alternative.bytes, key: "CAFÉ", scope: .header("subject"), found: true),
        Case(message: Corpus.alternative.bytes, key: "caf=c3", scope: .header("subject"), found: false),
        Case(message: Corpus.alternative.bytes, key: "café", scope: .body, found: true),
        Case(message: Corpus.eightBit.bytes, key: "GĘSIĄ", scope: .body, found: true),
        Case(message: Corpus.eightBit.bytes, key: "say \"HI\"", scope: .header("Subject"), found: true),
        Case(message: Corpus.eightBit.bytes, key: "now and then", scope: .header("subject"), found: true),
        Case(message: Corpus.eightBit.bytes, key: "", scope: .header("x-latin"), found: true),
        Case(message: Corpus.eightBit.bytes, key: "", scope: .header("x-missing"), found: false),
        Case(message: windows1252, key: "€ 5", scope: .body, found: true),
        Case(message: base64Text, key: "école maternelle", scope: .body, found: true),
        Case(message: base64Text, key: "ab c é", scope: .header("subject"), found: true),
        Case(message: base64Text, key: "été", scope: .header("x-split"), found: true),
        Case(message: base64Text, key: "x-split: été", scope: .text, found: true),
        Case(message: Corpus.mixed.bytes, key: "hello!", scope: .body, found: false),  // a PDF, not text
        Case(message: Corpus.mixed.bytes, key: "see attached", scope: .text, found: true),
        Case(message: Corpus.mixed.bytes, key: "report", scope: .body, found: false),
        Case(message: Corpus.nested.bytes, key: "inner@example.com", scope: .body, found: true),
        Case(message: Corpus.nested.bytes, key: "inner@", scope: .header("from"), found: false),
        Case(message: Corpus.nested.bytes, key: "LINE 2", scope: .text, found: true),
    ]

    @Test(arguments: cases)
    func substringSearch(_ test: Case) {
        let structure = MessageStructure(parsing: test.message)
        test.message.withUnsafeBytes { buffer in
            #expect(structure.contains(SearchKey(test.key), in: test.scope, message: buffer) == test.found)
        }
    }

    @Test func bodyTextsAreDecodedAndFolded() {
        let structure = MessageStructure(parsing: Corpus.eightBit.bytes)
        let texts = Corpus.eightBit.bytes.withUnsafeBytes { structure.searchableBodyTexts(in: $0) }
        #expect(texts.map { String(decoding: $0, as: UTF8.self) } == ["zażółć gęsią jaźń\r\n"])
    }
}

@Suite struct EncodedWordWorstCaseTests {
    /// Many "=?cs?q?" starts with no "?=" anywhere: each scan would run to the
    /// end; remembered failures keep it linear. Checked by result, not by time.
    @Test func unterminatedWordsStayLiteral() {
        let value = String(repeating: "=?a?q?x", count: 20_000)
        let message = CorpusMessage.crlf("Subject: \(value)\n\n")
        let structure = MessageStructure(parsing: message)
        let values = message.withUnsafeBytes { structure.decodedHeaderValues(named: "subject", in: $0) }
        #expect(values == [value])
    }
}

@Suite struct SubstringMatcherTests {
    @Test(arguments: [
        ("hello world", "o w", true), ("hello", "hello!", false), ("", "", true), ("abc", "", true),
        ("abcabcabd", "abcabd", true), ("aaaaaaaaab", "aaab", true), ("aaaaaaaaaa", "aaab", false),
    ])
    func findsSubstrings(_ text: String, _ key: String, _ found: Bool) {
        #expect(SearchKey(key).isFound(in: Array(text.utf8)) == found)
    }

    /// Past the memchr budget the search continues with KMP: same answers.
    @Test func adversarialRepetitionIsAnsweredCorrectly() {
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        #expect(!SearchKey(String(repeating: "a", count: 300) + "b").isFound(in: text))
        #expect(SearchKey(String(repeating: "a", count: 300) + "b").isFound(in: text + Array("b".utf8)))
        #expect(SearchKey("aab").isFound(in: text + Array("b".utf8)))
    }
}
