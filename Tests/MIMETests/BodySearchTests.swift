@testable import MIME
import Testing

/// `BodySearch` answers BODY and TEXT from the serialized structure, scanning
/// plain parts in place: every answer must equal the full decoding path's
/// (`MessageStructure.contains(_:in: .body / .text, message:)`).
@Suite struct BodySearchTests {
    static let kelvin = "\u{212A}"  // KELVIN SIGN: folds to ASCII "k"
    static let dottedI = "\u{0130}"  // LATIN CAPITAL LETTER I WITH DOT ABOVE: folds to "i" + U+0307

    static let messages: [[UInt8]] = Corpus.all.map(\.bytes) + [
        // Plain ASCII, long enough for the sixteen-at-a-time loop, the key near the end.
        CorpusMessage.crlf("""
            From: a@b.c
            Subject: plain
            Content-Type: text/plain; charset=us-ascii

            Body of corpus message 42, carrying NEEDLE-0042 once.
            \(String(repeating: "Filler text so the message has the size asked for. ", count: 8))tail-Word
            """),
        // No Content-Type at all (text/plain, us-ascii by default), key at the very start.
        CorpusMessage.crlf("Subject: bare\n\nneedle-0001 first\n"),
        // UTF-8 8bit with letters that fold to ASCII ones and others that do not.
        CorpusMessage.crlf("""
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: 8bit

            Temperature 300 \(kelvin)elvin, \(dottedI)stanbul, STRASSE Straße, ÉCOLE école ĘSIĄ.
            """),
        // ISO-8859-1 8bit: é is 0xE9.
        CorpusMessage.crlf("Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n")
            + Array("caf".utf8) + [0xE9] + Array(" CR\u{E8}ME au lait\r\n".utf8.filter { $0 < 0x80 }) + [0x0D, 0x0A],
        // Invalid UTF-8 between ASCII letters.
        CorpusMessage.crlf("Content-Type: text/plain; charset=utf-8\n\n") + Array("ab".utf8) + [0xFF, 0xC3]
            + Array("cd needle\r\n".utf8),
        // Multipart: quoted-printable, base64, a Windows-1252 part, an image and an unknown encoding.
        CorpusMessage.crlf("""
            Subject: =?utf-8?q?caf=C3=A9?= multipart
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Soft=
            break and caf=C3=A9 and =E2=84=AAelvin
            --b1
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            PHA+w4lDT0xFIG1hdGVybmVsbGU8L3A+
            --b1
            Content-Type: text/plain; charset=windows-1252

            \u{0}5 euros
            --b1
            Content-Type: image/png
            Content-Transfer-Encoding: base64

            bmVlZGxlIGluIGFuIGltYWdl
            --b1
            Content-Type: text/plain
            Content-Transfer-Encoding: x-uuencode

            begin 644 raw-Needle
            --b1--

            """).map { $0 == 0 ? 0x80 : $0 },  // the NUL stands for 0x80, "€" in Windows-1252
        // An attached message: its header is searched by BODY.
        CorpusMessage.crlf("""
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: text/plain

            see attached
            --outer
            Content-Type: message/rfc822

            From: inner@example.com
            Subject: Inner Topic

            inner body line
            --outer--

            """),
        // An empty body.
        CorpusMessage.crlf("Subject: empty\n\n"),
    ]

    static let keys = [
        "", "needle", "NEEDLE-0042", "needle-0043", "needle-0001", "tail-word", "word", "filler text so", "d once.\r\nfiller",
        "k", "kelvin", "\(kelvin)elvin", "i", "i\u{307}stanbul", "\(dottedI)stanbul", "strasse", "straße", "STRAßE", "école",
        "ÉCOLE", "ęsią", "café", "CAFÉ", "caf", "crme", "abcd", "ab\u{FFFD}", "cd needle", "soft", "softbreak",
        "break and café", "école maternelle", "€5", "€ 5", "5 euros", "needle in an image", "raw-needle",
        "inner@example.com", "inner topic", "inner body", "see attached", "subject: plain", "multipart", "x", "-",
        "300 k", " ", "\r\n",
    ]

    @Test(arguments: Self.messages.indices)
    func sameAnswersAsTheFullDecoding(_ index: Int) throws {
        let message = Self.messages[index]
        let structure = MessageStructure(parsing: message)
        let serialized = structure.serialized()
        for includesHeader in [false, true] {
            for key in Self.keys {
                let expected = message.withUnsafeBytes {
                    structure.contains(SearchKey(key), in: includesHeader ? .text : .body, message: $0)
                }
                let answer = try serialized.withUnsafeBytes { serializedBytes in
                    try message.withUnsafeBytes { body in
                        try BodySearch(text: key, includesHeader: includesHeader)
                            .matches(serialized: serializedBytes, message: body)
                    }
                }
                #expect(answer == expected, "\(includesHeader ? "TEXT" : "BODY") \(key.debugDescription)")
            }
        }
    }

    /// Answers that the fast path must get right, not only agree on.
    @Test(arguments: [
        (0, "needle-0042", true), (0, "needle-0043", false), (0, "TAIL-WORD", true), (1, "NEEDLE-0001", true),
        (2, "kelvin", true), (2, "i\u{307}stanbul", true), (2, "straße", true), (3, "CAFÉ", true),
        (5, "caf\u{E9}", true), (5, "softbreak", true), (5, "école", true), (5, "needle in an image", false),
        (6, "inner topic", true),
    ])
    func knownAnswers(_ offset: Int, _ key: String, _ found: Bool) throws {
        let message = Self.messages[Corpus.all.count + offset]
        let serialized = MessageStructure(parsing: message).serialized()
        let answer = try serialized.withUnsafeBytes { serializedBytes in
            try message.withUnsafeBytes {
                try BodySearch(text: key, includesHeader: false).matches(serialized: serializedBytes, message: $0)
            }
        }
        #expect(answer == found)
    }

    /// The finder against a plain scan, with the key at every offset of texts
    /// around the sixteen-byte block size, in mixed case, and near misses.
    @Test(arguments: [1, 2, 3, 7, 15, 16, 17, 31])
    func finderFindsEveryOffset(_ needleLength: Int) throws {
        let alphabet = Array("aB-9 zQ".utf8)
        let needle = (0..<needleLength).map { alphabet[($0 * 5 + needleLength) % alphabet.count] }
        let lowered = needle.map(FieldName.lower)
        let finder = try #require(ASCIICaseInsensitiveFinder(lowercasedNeedle: lowered))
        for length in [needleLength, needleLength + 1, 33, 48, 65] {
            for offset in 0...(length - needleLength) {
                var text = (0..<length).map { alphabet[($0 * 3 + 1) % alphabet.count] }
                for (index, byte) in needle.enumerated() {
                    // Flip the case of letters at odd positions.
                    text[offset + index] = index % 2 == 1 && byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                }
                let expected = Self.plainContains(text, lowered)
                #expect(text.withUnsafeBufferPointer { finder.isFound(in: $0) } == expected, "\(length) \(offset)")
                #expect(expected)  // the key was planted
                var miss = text
                miss[offset + needleLength - 1] = 0x7E  // "~" appears in no needle
                #expect(miss.withUnsafeBufferPointer { finder.isFound(in: $0) } == Self.plainContains(miss, lowered))
            }
        }
    }

    @Test func aStructureOfAnotherMessageIsRefused() {
        let message = CorpusMessage.crlf("Subject: x\n\nbody")
        let serialized = MessageStructure(parsing: CorpusMessage.crlf("Subject: x\n\nbody!")).serialized()
        #expect(throws: StructureDecodingError.corrupt) {
            try serialized.withUnsafeBytes { serializedBytes in
                try message.withUnsafeBytes {
                    try BodySearch(text: "body", includesHeader: false).matches(serialized: serializedBytes, message: $0)
                }
            }
        }
    }

    static func plainContains(_ text: [UInt8], _ lowered: [UInt8]) -> Bool {
        guard text.count >= lowered.count else { return false }
        return (0...(text.count - lowered.count)).contains { start in
            lowered.indices.allSatisfy { FieldName.lower(text[start + $0]) == lowered[$0] }
        }
    }
}
