import IMAPCodec
import MIME
import MailStore
import Testing
@testable import IMAPServer

/// A FETCH written row by row (`FetchRowWriter`, from the index and the header
/// cache) is byte for byte the FETCH built item by item from the message file
/// (`FetchResponder.items` + `ResponseEncoder`), ENVELOPE and BODYSTRUCTURE
/// included: over a table of varied messages
/// and flags, each item list tried as FETCH and UID FETCH, with and without an
/// implicit FLAGS, rev1 (\Recent) and rev2, with and without UTF-8 quoting.
@Suite struct FetchRowWriterTests {
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    /// Messages whose headers stress the cache and the encoder, with the flags they get.
    static let messages: [(bytes: [UInt8], flags: MessageFlags, date: InternalDate)] = [
        // Encoded words, and a field the cache does not keep between kept ones.
        (crlf(["From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>", "To: Bob <bob@example.com>",
               "Subject: =?iso-8859-1?b?R3L832U=?=", "X-Mailer: not cached", "Message-ID: <1@example.com>",
               "Date: Tue, 1 Jul 2003 10:52:37 +0200", "", "Body."]),
         MessageFlags(.seen, keywords: ["$Work"]), InternalDate(secondsSinceEpoch: 1_057_049_557, zoneMinutes: 120)),
        // Only a subject: every other field asked for is missing.
        (crlf(["Subject: alone", "", "x"]), MessageFlags(), InternalDate(secondsSinceEpoch: 0)),
        // No header fields at all.
        (crlf(["", "just a body"]), MessageFlags([.draft, .deleted]), InternalDate(secondsSinceEpoch: 86_399, zoneMinutes: -330)),
        // 8-bit header bytes (UTF-8 in names and subject).
        (crlf(["From: Jörg Müller <jm@example.de>", "To: Zoë <zoe@example.com>", "Subject: Grüße aus Köln",
               "Date: Wed, 2 Jul 2003 09:00:00 +0000", "", "8-bit."]),
         MessageFlags([.seen, .answered, .flagged, .deleted, .draft]), InternalDate(secondsSinceEpoch: 4_102_444_799, zoneMinutes: 840)),
        // Long folded fields, repeated fields, names in other cases.
        (crlf(["from: a@example.com", "TO: " + (0..<60).map { "User \($0) <u\($0)@example.com>" }.joined(separator: ",\r\n  "),
               "Subject: a long subject", "\tfolded over", "   and over again", "Subject: a second subject",
               "message-id: <long@example.com>", "Cc: c@example.com", "Date: Thu, 3 Jul 2003 23:59:59 -1200", "", "b"]),
         MessageFlags(.flagged, keywords: ["Junk", "$Forwarded", "$MDNSent", "NonJunk", "aardvark", "Zebra", "zebra", "$label1"]),
         InternalDate(secondsSinceEpoch: 1_700_000_000, zoneMinutes: -720)),
        // Groups, quoted and commented names, Sender and Reply-To of their own.
        (crlf(["From: \"Doe, John\" <john@example.com>", "Sender: secretary@example.com (The Secretary)",
               "Reply-To: list@example.org", "To: undisclosed-recipients:;", "Cc: team: a@example.com, b@example.com;, c@example.com",
               "In-Reply-To: <parent@example.com>", "Subject: \"quoted\" \\ backslash", "", "."]),
         MessageFlags(.seen), InternalDate(secondsSinceEpoch: 946_684_799)),
        // A multipart message (BODYSTRUCTURE with parts).
        (multipartMessage, MessageFlags(keywords: ["$Work"]), InternalDate(secondsSinceEpoch: 1_057_136_400)),
        // A header that ends the message (no blank line), with LF-only lines.
        (Array("From: lf@example.com\nSubject: no blank line\nTo: t@example.com".utf8),
         MessageFlags(.answered, keywords: ["$Work", "Junk"]), InternalDate(secondsSinceEpoch: 1_234_567_890, zoneMinutes: 59)),
    ]

    static func fields(_ names: [String]) -> FetchAttribute {
        .bodySection(SectionSpecifier(text: .headerFields(names)), partial: nil, peek: true)
    }

    static let itemLists: [[FetchAttribute]] = [
        [.uid, .flags, fields(["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"])],
        [.uid, .flags],
        [.flags],
        [.flags, .internalDate, .rfc822Size],
        [.uid, .rfc822Size, .flags, .internalDate],
        [fields(["Subject"]), .modificationSequence, .internalDate],
        [fields(["from"]), fields(["to", "cc", "reply-to", "bcc"]), .rfc822Size],
        [.flags, .uid, .flags, fields(["Date", "Date"])],
        [fields(["In-Reply-To", "References", "List-Id"])],
        [.uid, .rfc822Size, .flags, .internalDate, .envelope],
        [.envelope, .bodyStructure, fields(["Subject"])],
        [.body, .flags, .envelope],
    ]

    @Test(arguments: Self.itemLists)
    func sameBytesAsTheItemsFromTheFile(_ attributes: [FetchAttribute]) async throws {
        let inbox = try await scratch.inbox()
        var uids: [UID] = []
        for message in Self.messages {
            uids.append(try await inbox.append(message.bytes, flags: message.flags, internalDate: message.date))
        }
        let view = inbox.view()
        let snapshot = try #require(inbox.headerCache(for: view))
        var files: [UID: MessageFile] = [:]
        for uid in uids { files[uid] = try inbox.openMessage(uid: uid) }
        for encoder in [ResponseEncoder(utf8Enabled: false), ResponseEncoder(utf8Enabled: true)] {
            let plan = FetchPlan(attributes, encoder: encoder)
            for (byUID, seenChanged, rev1) in [(false, false, false), (true, false, true), (true, true, false), (false, true, true)] {
                let responder = FetchResponder(reportsRecent: rev1)
                // Recent: every other message, so both forms of FLAGS are made.
                func recent(_ row: Int) -> Bool { row % 2 == 0 }
                var expected = ResponseBuffer()
                // Twice over the mailbox: encoded FLAGS are made, then reused.
                for pass in 0..<2 {
                    for (row, uid) in uids.enumerated() {
                        let message = try #require(view.message(uid: uid))
                        let items = try responder.items(
                            for: FetchPlan(attributes), message: message, file: files[uid], byUID: byUID,
                            seenChanged: seenChanged, recent: recent(row))
                        encoder.encode(.untagged(.fetch(UInt32(row + 1 + pass * 100), items)), into: &expected)
                    }
                }
                var writer = try #require(FetchRowWriter(
                    plan: plan, byUID: byUID, reportsRecent: rev1, encoder: encoder, keywordNames: view.keywords))
                let layout = writer.layout
                var written = ResponseBuffer()
                var cursor = snapshot.cursor()
                for pass in 0..<2 {
                    for (row, uid) in uids.enumerated() {
                        let file = try #require(files[uid])
                        view.withRows { rows in
                            file.withStructure { structure in
                                let number = UInt32(row + 1 + pass * 100)
                                var wrote = false
                                let visited = cursor.visitEntry(uid: uid) { entry in
                                    wrote = writer.write(number: number, row: row, of: rows, headerEntry: entry, structure: structure,
                                                         seenChanged: seenChanged, recent: recent(row), layout: layout, into: &written)
                                }
                                #expect(visited, "every message of the table has a cache entry")
                                #expect(wrote)
                            }
                        }
                    }
                }
                #expect(String(decoding: written.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self),
                        "byUID \(byUID) seenChanged \(seenChanged) rev1 \(rev1) utf8 \(encoder.utf8Enabled)")
            }
        }
    }

    @Test func itemListsItCannotAnswer() {
        let encoder = ResponseEncoder()
        func writer(_ attributes: [FetchAttribute]) -> FetchRowWriter? {
            FetchRowWriter(plan: FetchPlan(attributes, encoder: encoder), byUID: false, reportsRecent: false,
                           encoder: encoder, keywordNames: [])
        }
        #expect(writer([.envelope, .flags])?.layout.needsStructure == true)
        #expect(writer([.bodyStructure])?.layout.needsStructure == true)
        #expect(writer([.bodySection(SectionSpecifier(text: .text), partial: nil, peek: true)]) == nil)
        #expect(writer([.binarySize(part: [1])]) == nil)
        #expect(writer([.rfc822Size])?.layout.needsStructure == false)
        #expect(writer([Self.fields(["X-Mailer"])]) == nil)
        #expect(writer([.bodySection(SectionSpecifier(text: .headerFieldsNot(["From"])), partial: nil, peek: true)]) == nil)
        #expect(writer([.bodySection(SectionSpecifier(text: .headerFields(["From"])), partial: PartialRange(offset: 0, count: 5), peek: true)]) == nil)
        #expect(writer([.bodySection(SectionSpecifier(part: [1], text: .headerFields(["From"])), partial: nil, peek: true)]) == nil)
        #expect(writer([.rfc822Header]) == nil)
        #expect(writer([.uid, .flags, .internalDate, .rfc822Size, .modificationSequence])?.layout.needsHeaderEntry == false)
        #expect(writer([.flags, Self.fields(["From"])])?.layout.needsHeaderEntry == true)
    }
}

@Suite struct EncodedFlagItemsTests {
    static let keywords = (0..<40).map { "k\($0)" }

    func expected(_ system: SystemFlags, _ mask: UInt64, recent: Bool) -> [UInt8] {
        let names = Set(Self.keywords.indices.filter { mask & (1 << UInt64($0)) != 0 }.map { Self.keywords[$0] })
        var buffer = ResponseBuffer()
        ResponseEncoder().encodeFetchItem(
            .flags(FlagTranslation.wireFlags(MessageFlags(system, keywords: names), recent: recent)), first: true, into: &buffer)
        return buffer.bytes
    }

    @Test func everySystemFlagSetWithAndWithoutRecent() {
        var items = EncodedFlagItems(encoder: ResponseEncoder(), keywordNames: Self.keywords)
        for pass in 0..<2 {
            for raw in UInt8(0)..<32 {
                for recent in [false, true] {
                    let system = SystemFlags(rawValue: raw)
                    #expect(items.item(system: system, keywordMask: 0, recent: recent) == expected(system, 0, recent: recent),
                            "pass \(pass) flags \(raw) recent \(recent)")
                }
            }
        }
        #expect(String(decoding: items.item(system: [.seen, .draft], keywordMask: 0, recent: true), as: UTF8.self)
            == "FLAGS (\\Seen \\Draft \\Recent)")
    }

    @Test func keywordSetsPastTheirCapacityAreMadeAgainNeverWrong() {
        var items = EncodedFlagItems(encoder: ResponseEncoder(), keywordNames: Self.keywords)
        // More distinct keyword sets than are kept, interleaved with plain ones, twice.
        let masks = (1...UInt64(EncodedFlagItems.keywordSetCapacity + 7)).map { $0 &* 0x9E37_79B9 & ((1 << 40) - 1) | 1 }
        for _ in 0..<2 {
            for (position, mask) in masks.enumerated() {
                let system = SystemFlags(rawValue: UInt8(position % 32))
                #expect(items.item(system: system, keywordMask: mask, recent: position % 3 == 0)
                    == expected(system, mask, recent: position % 3 == 0))
                #expect(items.item(system: .seen, keywordMask: 0, recent: false) == expected(.seen, 0, recent: false))
            }
        }
        #expect(String(decoding: items.item(system: .seen, keywordMask: 0b101, recent: false), as: UTF8.self)
            == "FLAGS (\\Seen k0 k2)")
    }
}
