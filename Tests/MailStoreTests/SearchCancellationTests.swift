import Dispatch
import Glibc
import Synchronization
import Testing
@testable import MailStore

/// A search whose task is cancelled (its client went away) stops: its waiting
/// chunks leave the scheduler's queue without running, its running chunk ends
/// within `SearchEvaluator.cancellationCheckRows` messages, and no answer comes.
@Suite struct SearchCancellationTests {
    /// `count` small messages in a fresh INBOX parsed by `analyzer`.
    static func mailbox(count: Int, analyzer: any MessageAnalyzer) async throws -> (Mailbox, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory, options: StoreOptions(analyzer: analyzer)).user("u").mailbox(named: "INBOX")
        _ = try await inbox.append((1...count).map { NewMessage(makeMessage(subject: "message \($0)", body: "Body \($0)")) })
        return (inbox, directory)
    }

    /// One worker, so one chunk runs while the others wait; chunks of 64 (five
    /// of them) and of 8192 (the whole search in one chunk).
    @Test(arguments: [64, 8192])
    func cancelledSearchStopsAndAnswersNothing(chunkRows: Int) async throws {
        let analyzer = HoldingAnalyzer(holdAt: 1)
        let (inbox, directory) = try await Self.mailbox(count: 300, analyzer: analyzer)
        _ = directory
        let scheduler = SearchScheduler(workers: 1, chunkRows: chunkRows)
        let view = inbox.view()
        let search = Task { try await inbox.search(.text(.body("absent")), in: view, on: scheduler) }
        // Bounded polling (at most 20 s on a loaded machine), not a timed assertion.
        for _ in 0..<2000 where !analyzer.isHolding { try await Task.sleep(for: .milliseconds(10)) }
        try #require(analyzer.isHolding)
        // The other chunks wait meanwhile: for the one search thread (as jobs) or
        // for the one worker; either way they must not run after the cancel.

        search.cancel()
        let outcome = await search.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(analyzer.sawCancellation, "the held message's task saw the cancellation")
        let checkEvery = SearchEvaluator.cancellationCheckRows(readsMessages: true)
        #expect(analyzer.evaluated <= checkEvery, "messages evaluated: \(analyzer.evaluated) of 300")
        #expect(analyzer.evaluated > 1, "the held chunk went on to its next look, no further")
        #expect(scheduler.runningCount == 0)
        #expect(scheduler.waitingCount == 0)
        // The worker is free again for the next search.
        #expect(try await inbox.search(.text(.body("Body 299")), in: view, on: scheduler) == [299])
    }

    /// A chunk cancelled while it waits for the one worker leaves the queue at
    /// once, never runs, and takes no worker with it.
    @Test func cancelledWaitingChunkNeverRuns() async throws {
        let scheduler = SearchScheduler(workers: 1)
        let busy = DispatchSemaphore(value: 0)
        // On the scheduler's own threads: blocking one of the global pool's (one per core)
        // could starve every other test.
        let holder = Task.detached(executorPreference: scheduler.threads) {
            try await scheduler.run(readsMessages: true) { busy.wait() }
        }
        for _ in 0..<20_000 where !scheduler.isBusy { try await Task.sleep(for: .milliseconds(1)) }
        let ran = ParallelSearchTests.Recorder()
        let waiter = Task.detached { try await scheduler.run(readsMessages: true) { ran.append("waiter") } }
        for _ in 0..<20_000 where scheduler.waitingCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(scheduler.waitingCount == 1)

        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(scheduler.waitingCount == 0)
        #expect(scheduler.runningCount == 1, "the holder still runs")
        busy.signal()
        try await holder.value
        #expect(ran.entries.isEmpty)
        #expect(scheduler.runningCount == 0)
        #expect(try await scheduler.run(readsMessages: false) { 42 } == 42)
    }

    /// A task already cancelled does not wait for a worker, even a free one.
    @Test func alreadyCancelledTaskDoesNotStart() async {
        let scheduler = SearchScheduler(workers: 1)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await scheduler.run(readsMessages: true) { 1 }
        }
        let outcome = await task.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(scheduler.runningCount == 0)
    }
}

/// The production analyzer with a hold: the `holdAt`-th message a SEARCH text
/// key asks about waits until the task evaluating it is cancelled, so a test can
/// cancel a search while it is certainly running. The wait polls every
/// millisecond and gives up after 30 s (a safety net for a broken build, never
/// what a test asserts on).
final class HoldingAnalyzer: MessageAnalyzer {
    private let base = MIMEMessageAnalyzer()
    private let holdAt: Int
    private let counted = Atomic<Int>(0)
    private let holding = Atomic<Bool>(false)
    private let cancelled = Atomic<Bool>(false)

    init(holdAt: Int) {
        self.holdAt = holdAt
    }

    /// Messages matched so far.
    var evaluated: Int { counted.load(ordering: .acquiring) }
    /// Whether the held message has been reached.
    var isHolding: Bool { holding.load(ordering: .acquiring) }
    /// Whether the hold ended because its task was cancelled.
    var sawCancellation: Bool { cancelled.load(ordering: .acquiring) }

    func analyze(_ message: UnsafeRawBufferPointer) -> MessageAnalysis {
        base.analyze(message)
    }

    func matches(_ key: TextSearchKey, message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer) -> Bool {
        if counted.add(1, ordering: .acquiringAndReleasing).newValue == holdAt {
            holding.store(true, ordering: .releasing)
            for _ in 0..<30_000 where !Task.isCancelled { usleep(1000) }
            cancelled.store(Task.isCancelled, ordering: .releasing)
        }
        return base.matches(key, message: message, structure: structure)
    }
}
