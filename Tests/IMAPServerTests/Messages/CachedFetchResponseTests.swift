import IMAPCodec
import MIME
import MailStore
import Testing
@testable import IMAPServer

/// A FETCH answered from the header cache writes exactly the bytes the same FETCH
/// answered from the message file does: one table row per item list, each tried
/// as FETCH and UID FETCH, with and without an implicit FLAGS, rev1 and rev2.
@Suite struct CachedFetchResponseTests {
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    static let message = crlf([
        "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>",
        "To: Bob <bob@example.com>",
        "Subject: Report",
        "X-Mailer: not cached",
        "Message-ID: <1@example.com>",
        "",
        "Body.",
    ])

    static func fields(_ names: [String], partial: PartialRange? = nil) -> FetchAttribute {
        .bodySection(SectionSpecifier(text: .headerFields(names)), partial: partial, peek: true)
    }

    static let itemLists: [[FetchAttribute]] = [
        [.uid, .flags, fields(["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"])],
        [fields(["Subject"])],
        [fields(["Date"]), .rfc822Size, .internalDate, .modificationSequence],
        [fields(["from"], partial: PartialRange(offset: 6, count: 10)), fields(["to", "cc"])],
        [fields(["Subject"], partial: PartialRange(offset: 400, count: 10))],
    ]

    @Test(arguments: Self.itemLists)
    func sameBytesAsFromTheFile(_ attributes: [FetchAttribute]) async throws {
        let inbox = try await scratch.inbox()
        let uid = try await inbox.append(Self.message, flags: MessageFlags(.seen, keywords: ["$Work"]))
        let view = inbox.view()
        let message = try #require(view.message(uid: uid))
        let file = try inbox.openMessage(uid: uid)
        let snapshot = try #require(inbox.headerCache(for: view))
        var cursor = snapshot.cursor()
        let entry = try #require(cursor.withEntry(uid: uid) { Array($0) })
        for encoder in [ResponseEncoder(utf8Enabled: false), ResponseEncoder(utf8Enabled: true)] {
            let plan = FetchPlan(attributes, encoder: encoder)
            #expect(plan.isAnsweredByHeaderCache)
            for (byUID, seenChanged, rev1) in [(false, false, false), (true, false, true), (true, true, false)] {
                let responder = FetchResponder(reportsRecent: rev1)
                let items = try responder.items(
                    for: FetchPlan(attributes), message: message, file: file, byUID: byUID, seenChanged: seenChanged, recent: true)
                var expected = ResponseBuffer()
                encoder.encode(.untagged(.fetch(7, items)), into: &expected)
                // Twice with one memo of encoded FLAGS: made, then reused.
                var flagItems = EncodedFlagItems()
                for _ in 0..<2 {
                    var written = ResponseBuffer()
                    entry.withUnsafeBytes { entry in
                        responder.writeCachedResponse(
                            number: 7, plan: plan, message: message, headerEntry: entry, byUID: byUID,
                            seenChanged: seenChanged, recent: true, encoder: encoder, flagItems: &flagItems, into: &written)
                    }
                    #expect(String(decoding: written.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self))
                }
            }
        }
    }

    @Test func plansTheCacheCannotAnswer() {
        #expect(!FetchPlan([.envelope, Self.fields(["From"])]).isAnsweredByHeaderCache)
        #expect(!FetchPlan([Self.fields(["X-Mailer"])]).isAnsweredByHeaderCache)
        #expect(!FetchPlan([.bodySection(SectionSpecifier(text: .headerFieldsNot(["From"])), partial: nil, peek: true)])
            .isAnsweredByHeaderCache)
        #expect(!FetchPlan([.flags, .uid]).isAnsweredByHeaderCache)
        #expect(FetchPlan([.flags, Self.fields(["From"])]).isAnsweredByHeaderCache)
    }
}

@Suite struct EncodedFlagItemsTests {
    @Test func reusesAndReplacesEncodedFlags() {
        var memo = EncodedFlagItems()
        var made = 0
        func encoded(_ flags: MessageFlags, recent: Bool = false) -> [UInt8] {
            memo.encoded(flags, recent: recent) {
                made += 1
                return Array("\(flags) \(recent)".utf8)
            }
        }
        let seen = MessageFlags(.seen), work = MessageFlags(.seen, keywords: ["$Work"])
        #expect(encoded(seen) == encoded(seen))
        #expect(made == 1)
        #expect(encoded(seen, recent: true) != encoded(seen))
        #expect(encoded(work) != encoded(seen))
        #expect(made == 3)
        // Past its capacity the oldest sets are made again, never answered wrongly.
        let many = (0..<(EncodedFlagItems.capacity + 3)).map { MessageFlags(keywords: ["k\($0)"]) }
        for flags in many + many { #expect(encoded(flags) == Array("\(flags) false".utf8)) }
    }
}
