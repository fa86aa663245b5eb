import Synchronization

/// Where long SEARCHes run: split into chunks of rows, evaluated on threads of
/// their own (`threads`, so they never hold the global concurrent executor's),
/// at most `workers` chunks at a time across the whole process. Chunks of searches the index answers alone (flags,
/// dates, sizes: a millisecond or so) are served before waiting chunks that read
/// messages, so a flag search waits for at most the chunks already running, not
/// for every chunk of the BODY searches queued before it; within each class,
/// first come first served.
///
/// The bound is what keeps many searching clients from starving the shards: the
/// shard threads compete for the cores with at most `workers` search threads,
/// however many searches wait, and a waiting chunk holds no thread. Chunks keep
/// that sharing fine-grained: two searches running together alternate chunk by
/// chunk rather than one waiting for the other to finish.
///
/// A search whose task is cancelled (its client hung up) gives its place back
/// at once: its waiting chunks leave the queues without running, its running
/// ones stop at their next look (`SearchEvaluator.cancellationCheckRows`).
public final class SearchScheduler: Sendable {
    /// Chunks evaluated at once, process-wide.
    public let workers: Int
    /// Messages per chunk.
    public let chunkRows: Int
    /// The threads chunks run on, as many as `workers`.
    public let threads: SearchThreads

    private struct State {
        var available: Int
        /// Chunks of index-only searches, then chunks that read messages.
        var quick = WaitQueue()
        var reading = WaitQueue()
        /// Numbers the waiters, so a cancelled one can be found and taken out.
        var nextTicket: UInt64 = 0
    }

    /// Waiting chunks in arrival order; a cancelled one leaves a hole (nil) behind.
    private struct WaitQueue {
        typealias Waiter = (ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)
        var waiting = ArrayQueue<Waiter?>()
        /// Waiters still in the queue, holes not counted.
        var count = 0

        mutating func append(_ ticket: UInt64, _ continuation: CheckedContinuation<Bool, Never>) {
            waiting.append((ticket, continuation))
            count += 1
        }

        mutating func next() -> CheckedContinuation<Bool, Never>? {
            while let entry = waiting.popFirst() {
                if let entry {
                    count -= 1
                    return entry.continuation
                }
            }
            return nil
        }

        /// Takes the waiter with `ticket` out, if it still waits.
        mutating func remove(_ ticket: UInt64) -> CheckedContinuation<Bool, Never>? {
            guard let removed = waiting.replaceFirst(where: { $0?.ticket == ticket }, with: nil) else { return nil }
            count -= 1
            return removed?.continuation
        }
    }

    private let state: Mutex<State>

    /// `workers` chunks at once (at least one), `chunkRows` messages each.
    public init(workers: Int, chunkRows: Int = 8192) {
        self.workers = max(1, workers)
        self.chunkRows = max(1, chunkRows)
        threads = SearchThreads(limit: max(1, workers))
        state = Mutex(State(available: max(1, workers)))
    }

    /// Rows per chunk of a search the index answers alone. Such a key costs
    /// nanoseconds a row, so its chunks are eight times longer: the setup of a
    /// chunk (a task, an evaluator) would cost more than evaluating `chunkRows` rows.
    public var indexChunkRows: Int { chunkRows * 8 }

    /// The row ranges a SEARCH over `count` messages is split into.
    func chunks(count: Int, readsMessages: Bool) -> [Range<Int>] {
        let rows = readsMessages ? chunkRows : indexChunkRows
        return stride(from: 0, to: count, by: rows).map { $0..<min($0 + rows, count) }
    }

    /// Whether every worker is taken (tests).
    var isBusy: Bool { state.withLock { $0.available == 0 } }

    /// Whether no chunk is running or waiting: a search started now shares the
    /// workers with no other.
    public var isIdle: Bool { state.withLock { $0.available == workers } }

    /// Chunks waiting for a worker: 0, with `runningCount`, once every search has
    /// ended or stopped.
    public var waitingCount: Int {
        state.withLock { $0.quick.count + $0.reading.count }
    }

    /// Chunks running now: 0 once every search has ended or stopped.
    public var runningCount: Int { state.withLock { workers - $0.available } }

    /// Runs `work` once a worker is free; `readsMessages` says which queue it
    /// waits in. A task cancelled before its turn leaves the queue at once and
    /// throws `CancellationError` without running `work`; `work` itself checks
    /// for cancellation as it goes (`SearchEvaluator`).
    func run<R: Sendable>(readsMessages: Bool, _ work: () -> R) async throws(CancellationError) -> R {
        guard await acquire(readsMessages: readsMessages) else { throw CancellationError() }
        defer { release() }
        return work()
    }

    /// Waits for a worker; false when the task was cancelled first (no worker taken).
    private func acquire(readsMessages: Bool) async -> Bool {
        if Task.isCancelled { return false }
        let ticket = state.withLock { state -> UInt64? in
            guard state.available > 0 else {
                state.nextTicket += 1
                return state.nextTicket
            }
            state.available -= 1
            return nil
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    // A release may have come between the two locks.
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    if readsMessages {
                        state.reading.append(ticket, continuation)
                    } else {
                        state.quick.append(ticket, continuation)
                    }
                    return false
                }
                if resumeNow { continuation.resume(returning: true) }
                // Cancelled before it was queued: the handler found nothing to remove.
                else if Task.isCancelled { cancelWaiting(ticket) }
            }
        } onCancel: {
            cancelWaiting(ticket)
        }
    }

    /// Takes a cancelled chunk out of its queue and lets it go without a worker;
    /// nothing when it already has one (it then runs, or stops on its own check).
    private func cancelWaiting(_ ticket: UInt64) {
        let removed = state.withLock { state in state.quick.remove(ticket) ?? state.reading.remove(ticket) }
        removed?.resume(returning: false)
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            // The permit passes straight to the next waiter, if any.
            if let next = state.quick.next() ?? state.reading.next() { return next }
            state.available += 1
            return nil
        }
        next?.resume(returning: true)
    }
}
