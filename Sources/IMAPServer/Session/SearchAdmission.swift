import Synchronization

/// At most `limit` SEARCHes off the shard per user at once; further ones wait
/// here, in arrival order, before any of their chunks reaches the
/// `SearchScheduler`.
///
/// One session runs its commands one at a time, so a client that pipelines 50
/// searches already has one running at a time. But a user may open many
/// connections, and the scheduler serves chunks first come first served: 50
/// connections each starting a BODY search would put 50 searches' chunks ahead
/// of every other user's. With this bound a user holds at most `limit`
/// searches' chunks in the scheduler's queue, and another user's search waits
/// for those, not for all of them.
///
/// A waiting search whose task is cancelled (its client hung up) leaves at once.
final class SearchAdmission: Sendable {
    /// Searches per user at once; 0 admits every search at once.
    let limit: Int

    private struct Waiter {
        let ticket: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        /// Searches admitted now, per user with any.
        var running: [String: Int] = [:]
        /// Searches waiting, per user with any, in arrival order.
        var waiting: [String: [Waiter]] = [:]
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Runs `search` once `user` has fewer than `limit` searches running;
    /// throws `CancellationError` without running it if the task is cancelled
    /// while it waits.
    func run<R>(for user: String, _ search: () async throws -> R) async throws -> R {
        guard limit > 0 else { return try await search() }
        guard await enter(user) else { throw CancellationError() }
        defer { leave(user) }
        return try await search()
    }

    /// Searches of `user` running now (tests).
    func running(_ user: String) -> Int { state.withLock { $0.running[user] ?? 0 } }

    /// Searches of `user` waiting now (tests).
    func waiting(_ user: String) -> Int { state.withLock { $0.waiting[user]?.count ?? 0 } }

    /// Waits for a place; false when the task was cancelled first (no place taken).
    private func enter(_ user: String) async -> Bool {
        if Task.isCancelled { return false }
        let ticket = state.withLock { state -> UInt64? in
            if state.running[user, default: 0] < limit {
                state.running[user, default: 0] += 1
                return nil
            }
            state.nextTicket += 1
            return state.nextTicket
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let admitted = state.withLock { state -> Bool in
                    // A search may have left between the two locks.
                    if state.running[user, default: 0] < limit {
                        state.running[user, default: 0] += 1
                        return true
                    }
                    state.waiting[user, default: []].append(Waiter(ticket: ticket, continuation: continuation))
                    return false
                }
                if admitted {
                    continuation.resume(returning: true)
                } else if Task.isCancelled {
                    // Cancelled before it was queued: the handler found nothing to remove.
                    cancelWaiting(user, ticket)
                }
            }
        } onCancel: {
            cancelWaiting(user, ticket)
        }
    }

    private func cancelWaiting(_ user: String, _ ticket: UInt64) {
        let removed = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard var waiters = state.waiting[user], let position = waiters.firstIndex(where: { $0.ticket == ticket }) else {
                return nil
            }
            let waiter = waiters.remove(at: position)
            state.waiting[user] = waiters.isEmpty ? nil : waiters
            return waiter.continuation
        }
        removed?.resume(returning: false)
    }

    /// The place passes straight to the user's next waiting search, if any.
    private func leave(_ user: String) {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if var waiters = state.waiting[user], !waiters.isEmpty {
                let next = waiters.removeFirst()
                state.waiting[user] = waiters.isEmpty ? nil : waiters
                return next.continuation
            }
            let remaining = (state.running[user] ?? 1) - 1
            state.running[user] = remaining > 0 ? remaining : nil
            return nil
        }
        next?.resume(returning: true)
    }
}
