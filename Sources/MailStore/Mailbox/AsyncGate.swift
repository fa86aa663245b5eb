import Synchronization

/// A FIFO lock that an async task can hold across suspension points: the one-writer
/// rule of a mailbox. Writers take it for the short section that assigns UIDs and
/// MODSEQs and writes the journal (and for compaction, which awaits fsyncs);
/// waiting for durability happens after it is released, so commits overlap.
final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiters = ArrayQueue<CheckedContinuation<Void, Never>>()
    }

    private let state = Mutex(State())

    func acquire() async {
        let acquired = state.withLock { state -> Bool in
            if state.held { return false }
            state.held = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let handedOver = state.withLock { state -> Bool in
                if !state.held {
                    state.held = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if handedOver { continuation.resume() }
        }
    }

    /// Passes the gate to the longest waiter, or opens it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let next = state.waiters.popFirst() else {
                state.held = false
                return nil
            }
            return next
        }
        next?.resume()
    }

    func withGate<R>(_ body: () async throws -> R) async rethrows -> R {
        await acquire()
        defer { release() }
        return try await body()
    }
}
