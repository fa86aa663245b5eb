import Synchronization

/// Group commit for one mailbox journal: every write takes a ticket; a writer then
/// waits until a sync covers its ticket. One task at a time runs the sync (fsync of
/// the message directory, then of the journal) and it covers every ticket issued
/// before it started, so N concurrent writers share far fewer than N fsyncs.
///
/// Change events ride on the same tickets and are published, in journal order,
/// only once what they report is durable.
final class GroupCommit: Sendable {
    private struct Waiter {
        var ticket: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var issued: UInt64 = 0
        var durable: UInt64 = 0
        var syncing = false
        var waiters: [Waiter] = []
        var events: [(ticket: UInt64, change: MailboxChange)] = []
        var failure: StoreError?
    }

    private let state = Mutex(State())
    private let publish: @Sendable ([MailboxChange]) -> Void

    init(publish: @escaping @Sendable ([MailboxChange]) -> Void) {
        self.publish = publish
    }

    /// Issues a ticket for a journal write just made; call while holding the writer
    /// gate so tickets follow journal order. `event` is published once durable.
    func issue(event: MailboxChange?) -> UInt64 {
        state.withLock { state in
            state.issued += 1
            if let event { state.events.append((state.issued, event)) }
            return state.issued
        }
    }

    /// Returns once the write with `ticket` is durable. If no sync is running, this
    /// caller starts one with `sync`, which must make every write issued so far durable.
    func waitDurable(_ ticket: UInt64, sync: @escaping @Sendable () async throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let lead = state.withLock { state -> Bool? in
                if let failure = state.failure {
                    continuation.resume(throwing: failure)
                    return nil
                }
                if state.durable >= ticket {
                    continuation.resume()
                    return nil
                }
                state.waiters.append(Waiter(ticket: ticket, continuation: continuation))
                if state.syncing { return false }
                state.syncing = true
                return true
            }
            if lead == true { Task { await self.runSyncs(sync) } }
        }
    }

    /// Publishes events without syncing (relaxed durability).
    func publishWithoutSync() {
        let ready = state.withLock { state in
            state.durable = state.issued
            defer { state.events.removeAll() }
            return state.events.map(\.change)
        }
        if !ready.isEmpty { publish(ready) }
    }

    private func runSyncs(_ performSync: @Sendable () async throws -> Void) async {
        while true {
            let target = state.withLock { $0.issued }
            do {
                try await performSync()
            } catch {
                let failure = (error as? StoreError) ?? .io(operation: "sync", path: "journal", errno: 0)
                let waiters = state.withLock { state in
                    state.failure = failure
                    state.syncing = false
                    defer { state.waiters.removeAll() }
                    return state.waiters
                }
                for waiter in waiters { waiter.continuation.resume(throwing: failure) }
                return
            }
            let (ready, events, more) = state.withLock { state in
                state.durable = max(state.durable, target)
                let ready = state.waiters.filter { $0.ticket <= target }
                state.waiters.removeAll { $0.ticket <= target }
                let events = state.events.prefix { $0.ticket <= target }.map(\.change)
                state.events.removeFirst(events.count)
                if state.waiters.isEmpty { state.syncing = false }
                return (ready, events, !state.waiters.isEmpty)
            }
            if !events.isEmpty { publish(events) }
            for waiter in ready { waiter.continuation.resume() }
            if !more { return }
        }
    }
}
