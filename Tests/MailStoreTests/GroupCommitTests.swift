import Synchronization
import Testing
@testable import MailStore

/// Group commit's contract: a writer returns only after a sync that started after
/// its write; concurrent writers share syncs; change events come out in journal
/// order and only after the sync that covers them; a failed sync fails everyone
/// waiting and every later writer.
@Suite struct GroupCommitTests {
    /// A stand-in for the journal: what was written, and what a finished sync made durable.
    final class FakeJournal: Sendable {
        struct State {
            var written = 0
            var durable = 0
            var syncs = 0
            var published: [MailboxChange] = []
            /// Writers that have taken their ticket.
            var issued = 0
        }
        let state = Mutex(State())
    }

    static func change(_ n: Int) -> MailboxChange {
        .flagsChanged(UIDSet([UID(n)...UID(n)]), modSeq: ModSeq(n))
    }

    @Test(arguments: [1, 2, 64])
    func everyWriterReturnsAfterASyncThatCoversItsWrite(writers: Int) async throws {
        let journal = FakeJournal()
        let commit = GroupCommit(publish: { changes in journal.state.withLock { $0.published += changes } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    // The write and its ticket in one step, as the writer gate makes them.
                    let (number, ticket) = journal.state.withLock { state in
                        state.written += 1
                        state.issued += 1
                        return (state.written, commit.issue(event: Self.change(state.written)))
                    }
                    try await commit.waitDurable(ticket) {
                        let snapshot = journal.state.withLock { $0.written }
                        // The first sync lasts until every writer has written, so the
                        // second one covers all the rest (bounded: writers never block).
                        if journal.state.withLock({ $0.syncs }) == 0 {
                            var spins = 0
                            while spins < 100_000, journal.state.withLock({ $0.issued }) < writers {
                                spins += 1
                                await Task.yield()
                            }
                        }
                        journal.state.withLock { state in
                            state.durable = max(state.durable, snapshot)
                            state.syncs += 1
                        }
                    }
                    let durable = journal.state.withLock { $0.durable }
                    #expect(durable >= number, "writer \(number) returned before its write was synced")
                    // Its event is out by the time it returns, after every earlier one.
                    let published = journal.state.withLock { $0.published }
                    #expect(published.count >= number)
                }
            }
            try await group.waitForAll()
        }
        let state = journal.state.withLock { $0 }
        #expect(state.published == (1...writers).map(Self.change), "events must come out once each, in journal order")
        #expect(state.durable == writers)
        #expect(state.syncs <= min(writers, 2), "writers waiting together must share one sync")
    }

    @Test func aWriterAloneLeadsAndAnAlreadyDurableTicketNeedsNoSync() async throws {
        let journal = FakeJournal()
        let commit = GroupCommit(publish: { _ in })
        let first = commit.issue(event: nil)
        let second = commit.issue(event: nil)
        try await commit.waitDurable(second) { journal.state.withLock { $0.syncs += 1 } }
        try await commit.waitDurable(first) { journal.state.withLock { $0.syncs += 1 } }
        #expect(journal.state.withLock { $0.syncs } == 1)
    }

    @Test func aFailedSyncFailsTheWaitersAndEveryLaterWriter() async throws {
        let journal = FakeJournal()
        let commit = GroupCommit(publish: { changes in journal.state.withLock { $0.published += changes } })
        let ticket = commit.issue(event: Self.change(1))
        await #expect(throws: StoreError.self) {
            try await commit.waitDurable(ticket) { throw StoreError.io(operation: "fdatasync", path: "journal", errno: 5) }
        }
        let later = commit.issue(event: Self.change(2))
        await #expect(throws: StoreError.self) {
            try await commit.waitDurable(later) { Issue.record("no sync may run after a failed one") }
        }
        #expect(journal.state.withLock { $0.published }.isEmpty, "nothing that failed to sync may be announced")
    }
}
