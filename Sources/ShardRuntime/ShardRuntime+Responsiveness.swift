import Synchronization

extension ShardRuntime {
    /// Whether every shard thread runs a job queued to it within `limit`: a
    /// thread stuck in a system call or a loop never does. A service manager's
    /// watchdog is fed only while this holds, so a wedged shard gets the server
    /// restarted instead of silently dropping its connections' work.
    public func allShardsRespond(within limit: Duration) async -> Bool {
        let check = ResponsivenessCheck(expecting: shards.count)
        return await withCheckedContinuation { continuation in
            check.begin(continuation)
            for shard in shards { shard.execute { check.answered() } }
            Task {
                try? await Task.sleep(for: limit)
                check.finish(false)
            }
        }
    }
}

/// One check's answers; resumes its waiter once, with true when every shard
/// answered, false when the time ran out first. A shard that answers late finds
/// the check already finished and does nothing.
private final class ResponsivenessCheck: Sendable {
    private struct State {
        var remaining: Int
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state: Mutex<State>

    init(expecting count: Int) {
        state = Mutex(State(remaining: count, waiter: nil))
    }

    func begin(_ waiter: CheckedContinuation<Bool, Never>) {
        let ready = state.withLock { state -> Bool in
            state.waiter = waiter
            return state.remaining == 0
        }
        if ready { finish(true) }
    }

    func answered() {
        let done = state.withLock { state -> Bool in
            state.remaining -= 1
            return state.remaining == 0
        }
        if done { finish(true) }
    }

    func finish(_ result: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }
}
