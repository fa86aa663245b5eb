import Testing
@testable import MailStore

/// The per-mailbox header cache: it follows the mailbox through APPEND, EXPUNGE,
/// COPY and MOVE, stays inside its budget, goes when idle, and never changes an
/// answer (every search here is compared with the same search without the cache).
@Suite struct HeaderCacheTests {
    static let senders = ["Alice <alice@example.com>", "=?utf-8?q?J=C3=B6rg?= <joerg@example.de>",
                          "\"Smith, John\" <john@example.com>", "Zoë <zoe@example.com>", "bob@example.org (Bob)"]
    static let subjects = ["Quarterly report", "=?utf-8?q?caf=C3=A9?= time", "naïve question", "Re: report", "lunch"]

    static func message(_ n: Int) -> NewMessage {
        NewMessage(makeMessage(
            from: senders[n % senders.count], subject: subjects[n % subjects.count] + " \(n)",
            extraHeaders: n % 3 == 0 ? ["Cc: carol@example.net", "X-Other: report"] : []))
    }

    static let keys: [SearchKey] = [
        .text(.from("alice")), .text(.from("jörg")), .text(.from("smith, john")), .text(.from("zoë")), .text(.from("bob")),
        .text(.subject("report")), .text(.subject("café")), .text(.subject("NAÏVE")), .text(.subject("7")),
        .text(.cc("carol")), .text(.header(field: "Cc", value: "")), .text(.header(field: "X-Other", value: "report")),
        .and([.text(.from("example")), .not(.text(.subject("report")))]),
        .or(.text(.to("bob")), .text(.bcc("nobody"))),
    ]

    /// The answer without any header cache.
    static func uncached(_ mailbox: Mailbox, _ key: SearchKey) -> [UID] {
        let view = mailbox.view()
        let reader = mailbox.messageReader(for: view)
        let evaluator = SearchEvaluator(view: view, analyzer: MIMEMessageAnalyzer(), key: key) { row in
            try? reader.message(atRow: row)?.get()
        }
        return evaluator.matchingUIDs(key)
    }

    static func expectSameAnswers(_ mailbox: Mailbox, _ step: String) {
        for key in keys {
            #expect(mailbox.search(key) == uncached(mailbox, key), "\(step): \(key)")
        }
    }

    /// Every entry the cache serves equals the entry made from the message file now.
    static func expectEntriesMatchFiles(_ mailbox: Mailbox) throws {
        let view = mailbox.view()
        let snapshot = try #require(mailbox.headerCache(for: view))
        #expect(snapshot.count >= view.count)
        var cursor = snapshot.cursor()
        for uid in view.uids {
            let file = try mailbox.openMessage(uid: uid)
            var fresh: [UInt8] = []
            _ = file.withStructure { structure in
                file.withBody { MIMEMessageAnalyzer().appendHeaderCacheEntry(message: $0, structure: structure, to: &fresh) }
            }
            #expect(cursor.withEntry(uid: uid) { Array($0) } == fresh, "UID \(uid)")
        }
    }

    @Test func followsAppendExpungeCopyAndMove() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory, options: StoreOptions(durability: .relaxed)).user("u")
        let inbox = try await user.mailbox(named: "INBOX")
        let archive = try await user.mailbox(named: "Archive")
        _ = try await inbox.append((0..<20).map(Self.message))
        Self.expectSameAnswers(inbox, "built")
        #expect(inbox.headerCache.current().snapshot.count == 20)

        _ = try await inbox.append((20..<25).map(Self.message))
        Self.expectSameAnswers(inbox, "after APPEND")
        #expect(inbox.headerCache.current().snapshot.lastUID == 25)

        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([2...4, 9...9]))
        try await inbox.expunge()
        Self.expectSameAnswers(inbox, "after EXPUNGE")

        _ = try await inbox.move(uids: UIDSet([10...14]), to: archive)
        Self.expectSameAnswers(inbox, "after MOVE out")
        Self.expectSameAnswers(archive, "MOVE target")
        _ = try await archive.copy(uids: UIDSet(archive.view().uids.prefix(3).map { $0...$0 }), to: inbox)
        Self.expectSameAnswers(inbox, "after COPY in")
        try Self.expectEntriesMatchFiles(inbox)
        try Self.expectEntriesMatchFiles(archive)
    }

    @Test func expungedEntriesAreSqueezedOut() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory, options: StoreOptions(durability: .relaxed)).user("u").mailbox(named: "INBOX")
        _ = try await inbox.append((0..<300).map(Self.message))
        // A command reading a few messages does not build entries for all 300.
        #expect(inbox.headerCache(for: inbox.view(), wanted: 10)?.count == 0)
        #expect(inbox.headerCache(for: inbox.view(), wanted: 75)?.count == 300)
        _ = try await inbox.remove(uids: UIDSet([1...290]))
        let squeezed = try #require(inbox.headerCache(for: inbox.view()))
        #expect(squeezed.count == 10)
        Self.expectSameAnswers(inbox, "squeezed")
        try Self.expectEntriesMatchFiles(inbox)
    }

    @Test func leastRecentlyUsedMailboxIsEvicted() async throws {
        let directory = TemporaryDirectory()
        let budget = HeaderCacheBudget(limit: 4000)
        let user = try await openStore(directory, options: StoreOptions(durability: .relaxed, headerCacheBudget: budget)).user("u")
        let inbox = try await user.mailbox(named: "INBOX")
        try await user.create("Other")
        let other = try await user.mailbox(named: "Other")
        _ = try await inbox.append((0..<15).map(Self.message))
        _ = try await other.append((0..<15).map(Self.message))

        let first = try #require(inbox.headerCache(for: inbox.view()))
        #expect(first.count == 15)
        #expect(budget.totalBytes == first.memoryFootprint)
        #expect(first.memoryFootprint * 2 > budget.limit, "two caches must not fit for this test")
        #expect(other.headerCache(for: other.view())?.count == 15)
        #expect(inbox.headerCache.current().snapshot.count == 0, "the older cache is evicted")
        #expect(budget.totalBytes <= budget.limit)
        Self.expectSameAnswers(inbox, "rebuilt after eviction")
        Self.expectSameAnswers(other, "evicted by the rebuild")
    }

    @Test func aMailboxLargerThanTheBudgetIsReadFromItsFiles() async throws {
        let directory = TemporaryDirectory()
        let budget = HeaderCacheBudget(limit: 200)
        let inbox = try await openStore(directory, options: StoreOptions(durability: .relaxed, headerCacheBudget: budget))
            .user("u").mailbox(named: "INBOX")
        _ = try await inbox.append((0..<15).map(Self.message))
        #expect(inbox.headerCache(for: inbox.view())?.count == 0)
        #expect(budget.totalBytes <= budget.limit)
        Self.expectSameAnswers(inbox, "over budget")
    }

    @Test func idleCachesAreDropped() async throws {
        let directory = TemporaryDirectory()
        let budget = HeaderCacheBudget(limit: 1 << 20, idleTimeout: .seconds(60))
        let inbox = try await openStore(directory, options: StoreOptions(durability: .relaxed, headerCacheBudget: budget))
            .user("u").mailbox(named: "INBOX")
        _ = try await inbox.append((0..<10).map(Self.message))
        #expect(inbox.headerCache(for: inbox.view())?.count == 10)
        #expect(budget.dropIdle(now: .now + .seconds(30)), "not idle long enough yet")
        #expect(inbox.headerCache.current().snapshot.count == 10)
        #expect(!budget.dropIdle(now: .now + .seconds(61)))
        #expect(budget.totalBytes == 0)
        #expect(inbox.headerCache.current().snapshot.count == 0)
        Self.expectSameAnswers(inbox, "rebuilt after idling")
    }

    @Test func cursorFindsEntriesInAnyOrder() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory, options: StoreOptions(durability: .relaxed)).user("u").mailbox(named: "INBOX")
        // Appended in steps, so the cache holds several chunks.
        for start in stride(from: 0, to: 40, by: 7) {
            _ = try await inbox.append((start..<min(40, start + 7)).map(Self.message))
            _ = inbox.headerCache(for: inbox.view())
        }
        let snapshot = try #require(inbox.headerCache(for: inbox.view()))
        #expect(snapshot.chunks.count > 1)
        var forward = snapshot.cursor()
        let ascending = (1...40).map { uid in forward.withEntry(uid: UID(uid)) { Array($0) } }
        var backward = snapshot.cursor()
        let descending = (1...40).reversed().map { uid in backward.withEntry(uid: UID(uid)) { Array($0) } }
        #expect(ascending == descending.reversed())
        #expect(ascending.allSatisfy { $0 != nil })
        var missing = snapshot.cursor()
        #expect(missing.withEntry(uid: 41) { _ in true } == nil)
        #expect(missing.withEntry(uid: 0) { _ in true } == nil)
    }
}
