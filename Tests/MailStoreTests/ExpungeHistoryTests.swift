import Testing
@testable import MailStore

/// The expunge history stays proportional to the live messages while QRESYNC's
/// answers stay right: VANISHED (EARLIER) never misses a UID (a superset of the
/// exact answer, checked against a full log kept beside it), an expunge's MODSEQ is
/// never overstated, and replay and snapshots rebuild the same history.
@Suite struct ExpungeHistoryTests {
    @Test func historyStaysBoundedUnderScatteredExpunges() throws {
        var churn = HistoryChurn(seed: 7)
        try churn.appendMessages(300)
        var withinLimit = true
        for _ in 0..<6_000 {
            try churn.expungeScattered(1)
            try churn.appendMessages(1)
            let history = churn.index.expungeHistory
            withinLimit = withinLimit && history.entryCount <= ExpungeHistory.sizeLimit(live: churn.index.count)
        }
        let history = churn.index.expungeHistory
        #expect(withinLimit)
        #expect(churn.log.count == 6_000)
        #expect(history.entryCount < 3_000, "6,000 single expunges left \(history.entryCount) entries")
        #expect(!history.coalesced.isEmpty && history.coalesced.count <= churn.index.count + 1)
        #expect(history.recent.count >= ExpungeHistory.recentKept)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func vanishedIsASupersetOfTheExactAnswer(seed: UInt64) throws {
        var churn = HistoryChurn(seed: seed)
        churn.keepers = true
        try churn.appendMessages(200)
        for round in 0..<5 {
            for _ in 0..<900 { try churn.mixedStep() }
            try checkAnswers(churn, clientModSeqs: churn.sampleModSeqs(60), round: round)
        }
        #expect(!churn.index.expungeHistory.coalesced.isEmpty, "the churn never merged: the test proves nothing")
    }

    /// For each client MODSEQ: every UID expunged after it is named, no live UID
    /// is, and above the merged runs the answer is exact. Every expunge MODSEQ the
    /// history gives is at most the real one, and exact for recent entries.
    private func checkAnswers(_ churn: HistoryChurn, clientModSeqs: [ModSeq], round: Int) throws {
        let view = MailboxView(index: churn.index)
        let history = churn.index.expungeHistory
        let live = UIDSet(uids: churn.index.uids)
        for modSeq in clientModSeqs {
            let exact = churn.exactVanished(since: modSeq)
            let answer = view.vanished(since: modSeq)
            #expect(exact.subtracting(answer).isEmpty, "round \(round), since \(modSeq): missing \(exact.subtracting(answer))")
            #expect(answer.intersection(live).isEmpty, "round \(round), since \(modSeq): live UIDs named vanished")
            if modSeq >= history.coalescedLatest {
                #expect(answer == exact, "round \(round), since \(modSeq): inexact above the merged runs")
            }
        }
        let recentFloor = history.recent.first?.modSeq ?? .max
        var overstated: [UID] = [], inexact: [UID] = []
        for (uid, modSeq) in churn.log {
            let given = try #require(view.expungeModSeq(of: uid))
            if given > modSeq { overstated.append(uid) }
            if modSeq > recentFloor, given != modSeq { inexact.append(uid) }
        }
        #expect(overstated.isEmpty, "round \(round): expunge MODSEQ overstated for \(overstated.prefix(10))")
        #expect(inexact.isEmpty, "round \(round): recent expunge MODSEQ inexact for \(inexact.prefix(10))")
    }

    @Test func recentExpungesKeepTheirExactModSeq() throws {
        var churn = HistoryChurn(seed: 11)
        try churn.appendMessages(100)
        for _ in 0..<5_000 {
            try churn.expungeScattered(1)
            try churn.appendMessages(1)
        }
        #expect(!churn.index.expungeHistory.coalesced.isEmpty)
        let view = MailboxView(index: churn.index)
        for (uid, modSeq) in churn.log.suffix(ExpungeHistory.recentKept) {
            #expect(view.expungeModSeq(of: uid) == modSeq)
        }
    }

    @Test func replayAndSnapshotsRebuildTheSameIndex() throws {
        var churn = HistoryChurn(seed: 5)
        churn.keepers = true
        try churn.appendMessages(150)
        for _ in 0..<2_500 { try churn.mixedStep() }
        let middle = SnapshotFile.encode(churn.index, generation: 1)
        let recordsBefore = churn.records.count
        for _ in 0..<2_500 { try churn.mixedStep() }
        #expect(!churn.index.expungeHistory.coalesced.isEmpty)

        // The whole journal replayed from nothing.
        var replayed = MailboxIndex(uidValidity: 1)
        for record in churn.records { try replayed.apply(record) }
        expectSame(replayed, churn.index)

        // The middle snapshot, then the journal's tail.
        var resumed = try SnapshotFile.decode(middle, path: "middle", spare: 0).0
        for record in churn.records[recordsBefore...] { try resumed.apply(record) }
        expectSame(resumed, churn.index)

        // The final state written and read back.
        let final = SnapshotFile.encode(churn.index, generation: 2)
        #expect(Self.version(of: final) == SnapshotFile.version)
        expectSame(try SnapshotFile.decode(final, path: "final", spare: 0).0, churn.index)
    }

    @Test func snapshotsWithoutMergedRunsKeepVersionTwo() throws {
        var churn = HistoryChurn(seed: 3)
        try churn.appendMessages(3_000)
        for _ in 0..<1_900 { try churn.expungeScattered(1) }
        #expect(churn.index.expungeHistory.coalesced.isEmpty)
        let bytes = SnapshotFile.encode(churn.index, generation: 1)
        #expect(Self.version(of: bytes) == 2)
        expectSame(try SnapshotFile.decode(bytes, path: "small", spare: 0).0, churn.index)
    }

    @Test func longHistoryFromAnOlderServerIsMergedOnTheNextExpunge() throws {
        // What a server from before merging wrote: 9,900 single expunges (UIDs
        // 1…9,900 at MODSEQs 2…9,901) beside 100 live messages.
        var index = MailboxIndex(uidValidity: 1)
        let old = (1...9_900).map { ExpungedRange(low: UID($0), high: UID($0), modSeq: ModSeq($0 + 1)) }
        index.expungeHistory = ExpungeHistory(recent: old, coalesced: [])
        index.uidNext = 9_901
        index.highestModSeq = 9_901
        for uid in UID(9_901)...10_000 {
            try index.apply(.append(.init(
                uid: uid, modSeq: index.highestModSeq + 1, flags: 0, keywordMask: 0, internalDate: 0, zoneMinutes: 0,
                size: 1, sentDay: 0)))
        }
        let bytes = SnapshotFile.encode(index, generation: 1)
        #expect(Self.version(of: bytes) == 2)
        index = try SnapshotFile.decode(bytes, path: "old", spare: 0).0
        #expect(index.expungeHistory.recent == old)

        let modSeq = index.highestModSeq + 1
        try index.apply(.expunge(modSeq: modSeq, uids: UIDSet([9_950...9_950])))
        #expect(index.expungeHistory.entryCount <= ExpungeHistory.sizeLimit(live: index.count))
        let view = MailboxView(index: index)
        for since in [0, 1, 5_000, 8_876, 8_877, 9_900, 9_901, modSeq - 1, modSeq] as [ModSeq] {
            let exact = UIDSet(uids: old.filter { $0.modSeq > since }.map(\.low) + (modSeq > since ? [9_950] : []))
            #expect(exact.subtracting(view.vanished(since: since)).isEmpty, "since \(since)")
            #expect(view.vanished(since: since).intersection(UIDSet(uids: index.uids)).isEmpty)
        }
        #expect(view.expungeModSeq(of: 9_950) == modSeq)
        #expect(view.expungeModSeq(of: 9_900) == 9_901)
        #expect(view.expungeModSeq(of: 1) == 2)
        #expect(Self.version(of: SnapshotFile.encode(index, generation: 2)) == SnapshotFile.version)
    }

    @Test func mailboxReopensWithTheSameMergedHistory() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory, options: StoreOptions(durability: .relaxed))
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for _ in 0..<30 { _ = try await inbox.append((0..<100).map { _ in NewMessage(makeMessage()) }) }
        // Scattered expunges: odd UIDs, then UIDs 2 mod 4: 2,250 entries, enough to merge.
        try await inbox.remove(uids: UIDSet(uids: stride(from: 1, through: 3_000, by: 2).map { UID($0) }))
        try await inbox.remove(uids: UIDSet(uids: stride(from: 2, through: 3_000, by: 4).map { UID($0) }))
        let merged = inbox.core.withLock { $0.index.expungeHistory }
        #expect(!merged.coalesced.isEmpty && merged.recent.count == ExpungeHistory.recentKept)
        let before = MailboxFingerprint(inbox.view())

        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(inbox.core.withLock { $0.index.expungeHistory } == merged, "journal replay")
        #expect(MailboxFingerprint(inbox.view()) == before)

        try await inbox.compact()
        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(inbox.core.withLock { $0.index.expungeHistory } == merged, "snapshot")
        #expect(MailboxFingerprint(inbox.view()) == before)
        #expect(inbox.view().vanished(since: 0).intersection(UIDSet(uids: inbox.view().uids)).isEmpty)
        await store.close()
    }

    private static func version(of snapshot: [UInt8]) -> UInt32 {
        snapshot[4..<8].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func expectSame(_ actual: MailboxIndex, _ expected: MailboxIndex, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.expungeHistory == expected.expungeHistory, sourceLocation: sourceLocation)
        #expect(actual.uids == expected.uids && actual.modSeqs == expected.modSeqs, sourceLocation: sourceLocation)
        #expect(actual.uidNext == expected.uidNext && actual.highestModSeq == expected.highestModSeq, sourceLocation: sourceLocation)
    }
}

/// One index driven through seeded churn, with the exact log an unmerged history
/// would be and every record applied (a journal to replay).
struct HistoryChurn {
    var index = MailboxIndex(uidValidity: 1)
    /// Every expunged UID with the MODSEQ of its expunge, in expunge order.
    private(set) var log: [(uid: UID, modSeq: ModSeq)] = []
    private(set) var records: [JournalRecord] = []
    private var random: SplitMix

    init(seed: UInt64) { random = SplitMix(seed: seed) }

    private mutating func apply(_ record: JournalRecord) throws {
        try index.apply(record)
        records.append(record)
    }

    mutating func appendMessages(_ count: Int) throws {
        for _ in 0..<count {
            try apply(.append(.init(
                uid: index.uidNext, modSeq: index.highestModSeq + 1, flags: 0, keywordMask: 0, internalDate: 0,
                zoneMinutes: 0, size: 100, sentDay: 0)))
        }
    }

    /// With `keepers`, every 16th UID below 3,000 is never expunged: old messages
    /// that stay while everything around them goes, so merged runs have live
    /// messages between them (which they must never swallow).
    var keepers = false

    private func mayExpunge(_ uid: UID) -> Bool { !keepers || uid % 16 != 0 || uid >= 3_000 }

    /// Expunges `count` live messages picked at random, in one record.
    mutating func expungeScattered(_ count: Int) throws {
        let picked = Set((0..<min(count, index.count)).map { _ in index.uids[random.below(index.count)] })
        try expunge(UIDSet(uids: picked.filter(mayExpunge)))
    }

    /// Expunges up to `count` consecutive live messages from a random row.
    mutating func expungeBlock(_ count: Int) throws {
        guard index.count > 0 else { return }
        let start = random.below(index.count)
        try expunge(UIDSet(uids: index.uids[start..<min(index.count, start + count)].filter(mayExpunge)))
    }

    private mutating func expunge(_ uids: UIDSet) throws {
        guard !uids.isEmpty else { return }
        let modSeq = index.highestModSeq + 1
        try apply(.expunge(modSeq: modSeq, uids: uids))
        for uid in uids { log.append((uid, modSeq)) }
    }

    /// One step of a mix: mostly single scattered expunges, sometimes several at
    /// once or a block, UIDs skipped (never used, as an import leaves them), and
    /// appends keeping the live count wandering between about 50 and 400.
    mutating func mixedStep() throws {
        switch random.below(20) {
        case 0: try expungeScattered(1 + random.below(8))
        case 1: try expungeBlock(1 + random.below(30))
        case 2: try apply(.raiseUIDNext(index.uidNext + UID(1 + random.below(5))))
        case 3: try appendMessages(random.below(index.count < 50 ? 60 : 20))
        default:
            try expungeScattered(1)
            if index.count < 400 { try appendMessages(random.below(3)) }
        }
    }

    /// What an unmerged history would answer: UIDs expunged after `modSeq`.
    func exactVanished(since modSeq: ModSeq) -> UIDSet {
        var start = log.endIndex
        while start > log.startIndex, log[start - 1].modSeq > modSeq { start -= 1 }
        return UIDSet(uids: log[start...].map(\.uid))
    }

    /// Client MODSEQs to check: the edges (0, the merged runs' latest and its
    /// neighbours, the oldest recent entry, the highest) and random ones.
    mutating func sampleModSeqs(_ count: Int) -> [ModSeq] {
        let history = index.expungeHistory
        var modSeqs: [ModSeq] = [0, 1, index.highestModSeq, index.highestModSeq - 1]
        for edge in [history.coalescedLatest] + (history.recent.first.map { [$0.modSeq] } ?? []) {
            modSeqs += [max(edge, 1) - 1, edge, edge + 1]
        }
        for _ in 0..<count { modSeqs.append(ModSeq(random.below(Int(index.highestModSeq) + 1))) }
        return modSeqs
    }
}

/// A small seeded generator (SplitMix64): the same churn on every run.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
