import Synchronization

/// Group commit for one mailbox journal: every write takes a ticket; a writer then
/// waits until a sync covers its ticket. One writer at a time leads: it runs the
/// sync (fsync of the message directory, then of the journal) in its own task, and
/// that sync covers every ticket issued before it started, so N concurrent writers
/// share far fewer than N fsyncs.
///
/// The leader syncs once and then hands the lead to the oldest writer still
/// waiting, if any, so no writer's acknowledgement waits for a sync it does not
/// need. Running the sync in the writer's own task (not a task of its own) keeps
/// it on the writer's executor: in the server, the shard whose ring then does the
/// fsync, with no thread hop on the way.
///
/// Change events ride on the same tickets and are published, in journal order,
/// only once what they report is durable.
final class GroupCommit: Sendable {
    private struct Waiter {
        var ticket: UInt64
        /// Resumed with true when this writer is to lead the next sync.
        var continuation: CheckedContinuation<Bool, any Error>
    }

    private struct State {
        var issued: UInt64 = 0
        var durable: UInt64 = 0
        /// A writer is leading (running a sync, or about to after a hand-off).
        var leading = false
        var waiters: [Waiter] = []
        var events: [(ticket: UInt64, change: MailboxChange)] = []
        var failure: StoreError?
    }

    /// What a writer does next with its ticket.
    private enum Role {
        case done
        case lead
        case wait
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

    /// Returns once the write with `ticket` is durable. If no writer is leading, this
    /// caller leads: it runs `sync`, which must make every write issued so far durable.
    func waitDurable(_ ticket: UInt64, sync: @Sendable () async throws -> Void) async throws {
        var role = try state.withLock { state throws(StoreError) in try Self.role(for: ticket, in: &state) }
        if role == .wait {
            let lead = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                // Again under the lock: a sync may have finished since the check above.
                state.withLock { state in
                    do {
                        switch try Self.role(for: ticket, in: &state) {
                        case .done: continuation.resume(returning: false)
                        case .lead: continuation.resume(returning: true)
                        case .wait: state.waiters.append(Waiter(ticket: ticket, continuation: continuation))
                        }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
            role = lead ? .lead : .done
        }
        if role == .lead { try await lead(sync) }
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

    private static func role(for ticket: UInt64, in state: inout State) throws(StoreError) -> Role {
        if let failure = state.failure { throw failure }
        if state.durable >= ticket { return .done }
        if state.leading { return .wait }
        state.leading = true
        return .lead
    }

    /// One sync covering every ticket issued so far (the leader's included), then
    /// the hand-off of the lead to the oldest writer it did not cover.
    private func lead(_ performSync: @Sendable () async throws -> Void) async throws {
        let target = state.withLock { $0.issued }
        do {
            try await performSync()
        } catch {
            let failure = (error as? StoreError) ?? .io(operation: "sync", path: "journal", errno: 0)
            let waiters = state.withLock { state in
                state.failure = failure
                state.leading = false
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.continuation.resume(throwing: failure) }
            throw failure
        }
        let (ready, events, next) = state.withLock { state in
            state.durable = max(state.durable, target)
            let ready = state.waiters.filter { $0.ticket <= target }
            state.waiters.removeAll { $0.ticket <= target }
            let events = state.events.prefix { $0.ticket <= target }.map(\.change)
            state.events.removeFirst(events.count)
            // The lead stays taken while it passes to the next writer.
            let next = state.waiters.isEmpty ? nil : state.waiters.removeFirst()
            if next == nil { state.leading = false }
            return (ready, events, next)
        }
        if !events.isEmpty { publish(events) }
        for waiter in ready { waiter.continuation.resume(returning: false) }
        next?.continuation.resume(returning: true)
    }
}
