import Dispatch
import Synchronization
import Testing
@testable import MailStore

/// SEARCH split into chunks on the global executor (`Mailbox.search(_:in:on:)`)
/// answers exactly as the inline search does, over the snapshot it was given.
@Suite struct ParallelSearchTests {
    /// Chunks of one, two and four rows over the six-message mailbox, with one and
    /// two workers: every split of the rows, including chunks that match nothing.
    @Test(arguments: [(1, 1), (2, 1), (4, 2), (2, 2), (8192, 2)] as [(Int, Int)])
    func sameAnswersAsInline(chunkRows: Int, workers: Int) async throws {
        let (inbox, directory) = try await SearchTests.makeMailbox()
        _ = directory
        let scheduler = SearchScheduler(workers: workers, chunkRows: chunkRows)
        for (key, expected) in SearchTests.cases {
            let view = inbox.view()
            #expect(try await inbox.search(key, in: view, on: scheduler) == expected, "\(key)")
        }
    }

    /// The view a SEARCH starts with is what it reads: a message expunged by
    /// another session meanwhile is still found (by flags and by its body), at its
    /// place in that view; a search on a newer view no longer sees it.
    @Test func expungeAfterTheViewDoesNotChangeTheAnswer() async throws {
        let (inbox, directory) = try await SearchTests.makeMailbox()
        _ = directory
        let scheduler = SearchScheduler(workers: 2, chunkRows: 2)
        let before = inbox.view()
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([2...2]))
        try await inbox.expunge(uids: UIDSet([2...2]))
        #expect(try await inbox.search(.text(.body("pizza")), in: before, on: scheduler) == [2])
        #expect(try await inbox.search(.flagged, in: before, on: scheduler) == [2])
        #expect(try await inbox.search(.deleted, in: before, on: scheduler) == [4], "flags as they were in the view")
        #expect(try await inbox.search(.sequenceSet([SequenceRange(2...2)]), in: before, on: scheduler) == [2])
        let after = inbox.view()
        #expect(try await inbox.search(.text(.body("pizza")), in: after, on: scheduler) == [])
        #expect(try await inbox.search(.sequenceSet([SequenceRange(2...2)]), in: after, on: scheduler) == [4])
    }

    /// Many searches at once through one worker: all finish, each with its answer.
    @Test func searchesQueueForTheWorkers() async throws {
        let (inbox, directory) = try await SearchTests.makeMailbox()
        _ = directory
        let scheduler = SearchScheduler(workers: 1, chunkRows: 1)
        let view = inbox.view()
        let answers = await withTaskGroup(of: [UID].self) { group in
            for _ in 0..<16 { group.addTask { (try? await inbox.search(.text(.text("lunch")), in: view, on: scheduler)) ?? [] } }
            return await group.reduce(into: [[UID]]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: [2], count: 16))
    }

    /// With the one worker busy, a chunk of an index-only search queued after
    /// three chunks that read messages runs before them.
    @Test func indexOnlyChunksGoFirst() async throws {
        let scheduler = SearchScheduler(workers: 1)
        let order = Recorder()
        let busy = DispatchSemaphore(value: 0)
        // On the scheduler's own threads: blocking one of the global pool's (one per core)
        // can starve every other test running at the same time.
        let holder = Task.detached(executorPreference: scheduler.threads) {
            try? await scheduler.run(readsMessages: true) { busy.wait() }
        }
        for _ in 0..<20_000 where !scheduler.isBusy { try await Task.sleep(for: .milliseconds(1)) }
        #expect(scheduler.isBusy)
        var queued: [Task<Void, Never>] = []
        for (number, reads) in [(1, true), (2, true), (3, true), (4, false)] {
            queued.append(Task.detached {
                try? await scheduler.run(readsMessages: reads) { order.append(reads ? "text\(number)" : "index") }
            })
            // Wait until it is in the queue, so the arrival order is the one written.
            for _ in 0..<100_000 where scheduler.waitingCount < number { await Task.yield() }
        }
        #expect(scheduler.waitingCount == 4)
        busy.signal()
        await holder.value
        for task in queued { await task.value }
        #expect(order.entries == ["index", "text1", "text2", "text3"])
    }

    final class Recorder: Sendable {
        private let state = Mutex<[String]>([])
        func append(_ entry: String) { state.withLock { $0.append(entry) } }
        var entries: [String] { state.withLock { $0 } }
    }
}
