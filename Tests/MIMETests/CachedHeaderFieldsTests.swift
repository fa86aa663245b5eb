@testable import MIME
import Testing

/// Header cache entries answer header FETCH and SEARCH with exactly the answers
/// the message's own structure gives: every value that is not plain ASCII
/// (encoded-words, 8-bit, quoted or commented addresses) goes through the same
/// decoding path as without a cache.
@Suite struct CachedHeaderFieldsTests {
    static let messages: [[UInt8]] = HeaderSearchTests.messages + [
        CorpusMessage.crlf("""
            From: "Müller, Jörg" <joerg@example.de>
            To: =?iso-8859-1?q?Andr=E9?= <andre@example.fr>, undisclosed-recipients:;
            Cc: (comment) <"odd local"@example.com>
            Reply-To: ann@[10.0.0.1]
            Subject: =?utf-8?b?w6l0w6k=?= =?utf-8?q?_caf=C3=A9?=
            Subject: second subject line
            References: <a@b> <c@d>
            Message-ID: <id@example.com>
            X-Not-Cached: public

            body
            """),
        CorpusMessage.crlf("Subject: no blank line, no body"),
        // Values longer than one 16-byte chunk, with what ends the plain scan at
        // different lanes: 8-bit text, "=", quotes, folding, spaces in addresses.
        CorpusMessage.crlf("""
            From: A Very Long Display Name Here <long.local.part@example.com>, "Q" <q@x.org>
            To: sixteen-bytes-xx <sixteen@example.com>,\n  folded-recipient <folded@example.com>
            Cc: (a comment that is longer than sixteen) cc@example.com
            Subject: exactly sixteen!caf\u{e9} and then more text after the accent
            Subject: Report for the quarter =?utf-8?q?caf=C3=A9?= with a long tail of words
            Subject: a subject folded over\n  two lines that continue for a while

            body
            """),
        Array("From: bare-lf@example.com\nSubject: lf only\n\nbody\n".utf8),
    ]

    static let keys = HeaderSearchTests.keys + ["very long display", "long.local.part@example", "folded@example.com",
        "sixteen-bytes-xx", "cc@example", "sixteen!café", "then more", "over two lines", "overtwo", "q@x.org", "müller", "MÜLLER, JÖRG", "été", "été café", "second", "andré <andre", "<a@b>"]

    static func entry(_ message: [UInt8]) throws -> [UInt8] {
        let serialized = MessageStructure(parsing: message).serialized()
        var entry: [UInt8] = []
        let made = try serialized.withUnsafeBytes { structure in
            try message.withUnsafeBytes { try CachedHeaderFields.append(serialized: structure, message: $0, to: &entry) }
        }
        #expect(made)
        return entry
    }

    @Test(arguments: Self.messages.indices)
    func searchAnswersEqualTheFullDecoding(_ index: Int) throws {
        let message = Self.messages[index]
        let structure = MessageStructure(parsing: message)
        let entry = try Self.entry(message)
        let fields = (HeaderSearchTests.fields + ["Reply-To", "References", "message-id"]).filter(CachedHeaderFields.keeps)
        for field in fields {
            for key in Self.keys {
                let search = HeaderSearch(field: field, text: key)
                #expect(search.isAnsweredByCache)
                let expected = message.withUnsafeBytes { structure.contains(SearchKey(key), in: .header(field), message: $0) }
                let answer = entry.withUnsafeBytes { search.matches(cachedEntry: $0) }
                #expect(answer == expected, "message \(index): \(field) \(key)")
            }
        }
    }

    static let selections: [[String]] = [
        ["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"], ["subject"], ["References", "Reply-To", "Cc"], ["Bcc"],
        ["X-Missing-But-Named"],
    ]

    @Test(arguments: Self.messages.indices)
    func headerFieldsEqualTheStructuresRanges(_ index: Int) throws {
        let message = Self.messages[index]
        let serialized = MessageStructure(parsing: message).serialized()
        let entry = try Self.entry(message)
        for names in Self.selections {
            let selection = HeaderFieldSelection(names: names, keep: true)
            let expected = try serialized.withUnsafeBytes { structure in
                try message.withUnsafeBytes { body in
                    let ranges = try MessageStructure.topLevelHeaderFieldRanges(selection, serialized: structure, message: body)
                    return ranges.ranges.flatMap { Array(body[$0.offsets]) }
                }
            }
            let cached = entry.withUnsafeBytes { CachedHeaderFields.headerFields(selection, entry: $0) }
            if selection.isAnsweredByCache {
                #expect(cached == expected, "message \(index): \(names)")
            } else {
                #expect(cached == nil)
            }
        }
    }

    @Test(arguments: [
        (["From", "Subject"], true, true), (["from", "X-Priority", "list-id"], true, true),
        (["X-Mailer"], true, false), (["From"], false, false),
    ])
    func whichSelectionsTheCacheAnswers(_ names: [String], _ keep: Bool, _ answered: Bool) {
        #expect(HeaderFieldSelection(names: names, keep: keep).isAnsweredByCache == answered)
    }

    @Test func fieldsTooLongForAnEntryLeaveTheMessageWithout() throws {
        let message = CorpusMessage.crlf("From: a@b\nReferences: " + String(repeating: "<x@y> ", count: 12_000) + "\n\nbody")
        let serialized = MessageStructure(parsing: message).serialized()
        var entry: [UInt8] = [1, 2, 3]
        let made = try serialized.withUnsafeBytes { structure in
            try message.withUnsafeBytes { try CachedHeaderFields.append(serialized: structure, message: $0, to: &entry) }
        }
        #expect(!made)
        #expect(entry == [1, 2, 3])
    }

    @Test func entriesKeepOnlyTheCachedFields() throws {
        let message = try #require(Self.messages.first { String(decoding: $0, as: UTF8.self).contains("X-Not-Cached") })
        let entry = try Self.entry(message)
        let text = String(decoding: entry, as: UTF8.self)
        #expect(text.contains("Message-ID: <id@example.com>"))
        #expect(!text.contains("X-Not-Cached"))
        #expect(!text.contains("body"))
    }
}
