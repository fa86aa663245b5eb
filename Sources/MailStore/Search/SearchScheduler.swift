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
    }

    /// Waiting chunks in arrival order.
    private struct WaitQueue {
        var waiting: [CheckedContinuation<Void, Never>] = []
        var first = 0

        mutating func append(_ continuation: CheckedContinuation<Void, Never>) { waiting.append(continuation) }

        mutating func next() -> CheckedContinuation<Void, Never>? {
            guard first < waiting.count else { return nil }
            defer {
                first += 1
                if first == waiting.count {
                    waiting.removeAll(keepingCapacity: true)
                    first = 0
                }
            }
            return waiting[first]
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

    /// The row ranges a SEARCH over `count` messages is split into. A key the
    /// index answers alone costs nanoseconds a row, so its chunks are eight times
    /// longer: the setup of a chunk (a task, an evaluator) would cost more than
    /// evaluating `chunkRows` rows.
    func chunks(count: Int, readsMessages: Bool) -> [Range<Int>] {
        let rows = readsMessages ? chunkRows : chunkRows * 8
        return stride(from: 0, to: count, by: rows).map { $0..<min($0 + rows, count) }
    }

    /// Whether every worker is taken (tests).
    var isBusy: Bool { state.withLock { $0.available == 0 } }

    /// Whether no chunk is running or waiting: a search started now shares the
    /// workers with no other.
    public var isIdle: Bool { state.withLock { $0.available == workers } }

    /// Chunks waiting for a worker (tests).
    var waitingCount: Int {
        state.withLock { ($0.quick.waiting.count - $0.quick.first) + ($0.reading.waiting.count - $0.reading.first) }
    }

    /// Runs `work` once a worker is free; `readsMessages` says which queue it
    /// waits in.
    func run<R: Sendable>(readsMessages: Bool, _ work: () -> R) async -> R {
        await acquire(readsMessages: readsMessages)
        defer { release() }
        return work()
    }

    private func acquire(readsMessages: Bool) async {
        let granted = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if granted { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                // A release may have come between the two locks.
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                if readsMessages { state.reading.append(continuation) } else { state.quick.append(continuation) }
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            // The permit passes straight to the next waiter, if any.
            if let next = state.quick.next() ?? state.reading.next() { return next }
            state.available += 1
            return nil
        }
        next?.resume()
    }
}
