import Synchronization

/// Where long SEARCHes run: split into chunks of rows, evaluated on the global
/// concurrent executor (one thread per core), at most `workers` chunks at a time
/// across the whole process, first come first served.
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

    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var firstWaiting = 0
    }

    private let state: Mutex<State>

    /// `workers` chunks at once (at least one), `chunkRows` messages each.
    public init(workers: Int, chunkRows: Int = 8192) {
        self.workers = max(1, workers)
        self.chunkRows = max(1, chunkRows)
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

    /// Runs `work` once a worker is free; waiters are served in arrival order.
    func run<R: Sendable>(_ work: () -> R) async -> R {
        await acquire()
        defer { release() }
        return work()
    }

    private func acquire() async {
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
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.firstWaiting < state.waiting.count else {
                state.available += 1
                return nil
            }
            let next = state.waiting[state.firstWaiting]
            state.firstWaiting += 1
            if state.firstWaiting == state.waiting.count {
                state.waiting.removeAll(keepingCapacity: true)
                state.firstWaiting = 0
            }
            return next  // the permit passes straight to it
        }
        next?.resume()
    }
}
