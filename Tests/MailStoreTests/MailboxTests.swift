import Glibc
import Testing
@testable import MailStore

@Suite struct MailboxTests {
    @Test func appendAssignsAscendingUIDsAndKeepsBodies() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("alice").mailbox(named: "INBOX")
        let before = inbox.status()
        var uids: [UID] = []
        for i in 0..<5 {
            uids.append(try await inbox.append(makeMessage(subject: "m\(i)"), flags: MessageFlags(i == 0 ? .seen : [])))
        }
        #expect(uids == [1, 2, 3, 4, 5])
        let status = inbox.status()
        #expect(status.messages == 5 && status.unseen == 4 && status.uidNext == 6)
        #expect(status.highestModSeq == before.highestModSeq + 5)
        #expect(status.size == Int64((0..<5).map { makeMessage(subject: "m\($0)").count }.reduce(0, +)))
        let file = try inbox.openMessage(uid: 3)
        #expect(file.body == makeMessage(subject: "m2"))
        #expect(file.bytes(in: 0..<5) == Array("From:".utf8))
        #expect(file.bytes(in: 10_000..<20_000).isEmpty)
        // The MIME module's parse, cached beside the body.
        let expected = makeMessage(subject: "m2").withUnsafeBytes { MIMEMessageAnalyzer().analyze($0).structure }
        #expect(file.structure == expected && !expected.isEmpty)
    }

    @Test func multiAppendIsOneBatch() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        let date = InternalDate(secondsSinceEpoch: 1_000_000_000, zoneMinutes: 120)
        let uids = try await inbox.append([
            NewMessage(makeMessage(subject: "a"), flags: MessageFlags(.flagged, keywords: ["Work"]), internalDate: date),
            NewMessage(makeMessage(subject: "b")),
        ])
        #expect(uids == [1, 2])
        let first = try #require(inbox.view().message(uid: 1))
        #expect(first.flags == MessageFlags(.flagged, keywords: ["Work"]))
        #expect(first.internalDate == date && first.internalDate.zoneMinutes == 120)
    }

    @Test func storeChangesOnlyWhatDiffersAndBumpsModSeq() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        for _ in 0..<4 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([1...1]))
        let modSeqBefore = inbox.view().message(uid: 1)!.modSeq

        let result = try await inbox.store(.add(MessageFlags(.seen, keywords: ["$Forwarded"])), uids: UIDSet([1...2, 9...9]))
        #expect(result.changed == UIDSet([1...2]))
        let modSeq = try #require(result.modSeq)
        #expect(modSeq > modSeqBefore)
        let view = inbox.view()
        #expect(view.message(uid: 1)!.modSeq == modSeq && view.message(uid: 2)!.modSeq == modSeq)
        #expect(view.message(uid: 3)!.modSeq < modSeq)
        #expect(view.message(uid: 2)!.flags == MessageFlags(.seen, keywords: ["$Forwarded"]))
        #expect(inbox.status().unseen == 2 && inbox.status().highestModSeq == modSeq)

        // Nothing to change: no new MODSEQ.
        let noop = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([1...2]))
        #expect(noop.modSeq == nil && noop.changed.isEmpty && inbox.status().highestModSeq == modSeq)

        let removed = try await inbox.store(.remove(MessageFlags(.seen, keywords: ["Unknown"])), uids: UIDSet([1...4]))
        #expect(removed.changed == UIDSet([1...2]))
        let replaced = try await inbox.store(.replace(MessageFlags([.draft, .flagged])), uids: UIDSet([2...3]))
        #expect(replaced.changed == UIDSet([2...3]))
        #expect(inbox.view().message(uid: 2)!.flags == MessageFlags([.draft, .flagged]))
        #expect(inbox.status().unseen == 4)
    }

    @Test func unchangedSinceReportsModified() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        for _ in 0..<3 { _ = try await inbox.append(makeMessage()) }
        let snapshot = inbox.status().highestModSeq
        _ = try await inbox.store(.add(MessageFlags(.flagged)), uids: UIDSet([2...2]))
        let result = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([1...3]), unchangedSince: snapshot)
        #expect(result.modified == UIDSet([2...2]))
        #expect(result.changed == UIDSet([1...1, 3...3]))
    }

    @Test func expungeRemovesDeletedAndKeepsHistory() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        for _ in 0..<6 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([2...3, 5...5]))
        let afterFlags = inbox.status().highestModSeq
        let restricted = try await inbox.expunge(uids: UIDSet([1...2]))
        #expect(restricted == UIDSet([2...2]))
        let rest = try await inbox.expunge()
        #expect(rest == UIDSet([3...3, 5...5]))
        let view = inbox.view()
        #expect(view.uids == [1, 4, 6])
        #expect(view.vanished(since: afterFlags) == UIDSet([2...3, 5...5]))
        #expect(view.vanished(since: view.status.highestModSeq - 1) == UIDSet([3...3, 5...5]))
        #expect(view.vanished(since: 0, within: UIDSet([3...4])) == UIDSet([3...3]))
        #expect(!PosixFileIO().fileExists(inbox.messagePath(2)))
        #expect(throws: StoreError.messageNotFound(2)) { try inbox.openMessage(uid: 2) }
    }

    @Test func uidsAreNeverReusedAfterReopen() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for _ in 0..<3 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([3...3]))
        try await inbox.expunge()
        let fingerprint = MailboxFingerprint(inbox.view())
        await store.close()

        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(MailboxFingerprint(inbox.view()) == fingerprint)
        #expect(try await inbox.append(makeMessage()) == 4)
    }

    @Test func everythingSurvivesReopenBeforeAndAfterCompaction() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory, options: StoreOptions(compactionThreshold: 600))
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<40 {
            _ = try await inbox.append(makeMessage(subject: "n\(i)"), flags: MessageFlags(keywords: ["k\(i % 3)"]))
            if i % 4 == 0 { _ = try await inbox.store(.add(MessageFlags([.seen, .deleted])), uids: UIDSet([UID(i + 1)...UID(i + 1)])) }
            if i % 10 == 9 { try await inbox.expunge() }
        }
        let generation = inbox.core.withLock { $0.generation }
        #expect(generation > 0, "the small threshold forces compactions")
        let fingerprint = MailboxFingerprint(inbox.view())
        await store.close()

        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(MailboxFingerprint(inbox.view()) == fingerprint)
        #expect(inbox.view().keywords.sorted() == ["k0", "k1", "k2"])
        try await inbox.compact()
        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(MailboxFingerprint(inbox.view()) == fingerprint)
    }

    @Test func compactionSweepsOrphanFiles() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage())
        let io = PosixFileIO()
        // What a crash leaves: a file for a UID no record names.
        let fd = try io.open(inbox.messagePath(77), flags: O_CREAT | O_WRONLY, mode: 0o600)
        io.close(fd)
        try await inbox.compact()
        #expect(!io.fileExists(inbox.messagePath(77)))
        #expect(try inbox.openMessage(uid: 1).body == makeMessage())
    }

    @Test func tooManyKeywordsIsAClearError() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        let uid = try await inbox.append(makeMessage())
        for i in 0..<KeywordTable.capacity {
            _ = try await inbox.store(.add(MessageFlags(keywords: ["kw\(i)"])), uids: UIDSet([uid...uid]))
        }
        #expect(!inbox.view().canCreateKeywords)
        await #expect(throws: StoreError.tooManyKeywords(limit: KeywordTable.capacity)) {
            try await inbox.store(.add(MessageFlags(keywords: ["one-too-many"])), uids: UIDSet([uid...uid]))
        }
        #expect(inbox.view().message(uid: uid)!.flags.keywords.count == KeywordTable.capacity)
    }

    @Test func concurrentAppendsShareCommitsAndGetDistinctUIDs() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        let uids = try await withThrowingTaskGroup(of: UID.self) { group in
            for i in 0..<64 { group.addTask { try await inbox.append(makeMessage(subject: "c\(i)")) } }
            return try await group.reduce(into: [UID]()) { $0.append($1) }
        }
        #expect(uids.sorted() == Array(1...64))
        let view = inbox.view()
        #expect(view.uids == Array(1...64))
        let modSeqs = (1...64).map { view.message(atSequence: $0).modSeq }
        #expect(modSeqs == modSeqs.sorted() && Set(modSeqs).count == 64)
    }

    @Test func relaxedDurabilityStillRecoversAfterReopen() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory, options: StoreOptions(durability: .relaxed))
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for _ in 0..<10 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([1...5]))
        let fingerprint = MailboxFingerprint(inbox.view())
        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(MailboxFingerprint(inbox.view()) == fingerprint)
    }
}
