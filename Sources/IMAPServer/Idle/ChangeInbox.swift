import MailStore
import Synchronization

/// One session's bounded queue of mailbox changes, filled by its shard's
/// `MailboxBroadcaster` and drained by the session between commands and in IDLE.
///
/// Delivering never blocks and never waits for the session: a slow session only
/// fills its own inbox. When an inbox would pass its capacity its queue is dropped
/// and it is marked overflowed, so the session resynchronises from the index
/// (`UntaggedUpdateTracker.markNeedsResync`) instead of silently missing changes.
public final class ChangeInbox: Sendable {
    /// What a session takes out of its inbox.
    public enum Delivery: Equatable, Sendable {
        case changes([MailboxChange])
        /// Changes were lost; compare with the index.
        case resync
        /// The broadcaster stopped (the mailbox closed or the subscription ended).
        case closed
    }

    /// What ``takeInline()`` hands the session: the changes without a new array.
    enum Taken {
        case changes(first: MailboxChange, rest: [MailboxChange])
        case resync
        case closed
    }

    private struct State {
        /// The first change waiting, kept inline: the usual wake of an idler (one
        /// append) then allocates no array. `rest` is empty while `first` is nil.
        var first: MailboxChange?
        var rest: [MailboxChange] = []
        var overflowed = false
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Called after each delivery while set (a session in IDLE).
        var observer: Observer?
    }

    /// What a session in IDLE is told after each delivery: the round of the
    /// broadcaster's fan-out it was delivered in, for the synchronous wake (nil for
    /// an overflow, a close, or a delivery outside a round).
    typealias Observer = @Sendable (FanoutRound?) -> Void

    public let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Queues `change`; `round` is passed on to the observer (see ``FanoutRound``).
    func deliver(_ change: MailboxChange, round: FanoutRound? = nil) {
        let (waiter, observer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Observer?) in
            guard !state.closed else { return (nil, nil) }
            if state.overflowed {
                // Already resyncing: nothing queued matters any more.
            } else if (state.first == nil ? 0 : 1 + state.rest.count) >= capacity {
                state.first = nil
                state.rest = []
                state.overflowed = true
            } else if state.first == nil {
                state.first = change
            } else {
                state.rest.append(change)
            }
            defer { state.waiter = nil }
            return (state.waiter, state.observer)
        }
        waiter?.resume()
        observer?(round)
    }

    /// Marks that changes were lost upstream (the shard's own stream overflowed).
    func deliverOverflow() {
        let (waiter, observer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Observer?) in
            state.first = nil
            state.rest = []
            state.overflowed = true
            defer { state.waiter = nil }
            return (state.waiter, state.observer)
        }
        waiter?.resume()
        observer?(nil)
    }

    func close() {
        let (waiter, observer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Observer?) in
            state.closed = true
            defer { state.waiter = nil }
            return (state.waiter, state.observer)
        }
        waiter?.resume()
        observer?(nil)
    }

    /// Sets (or, with nil, clears) a callback run after every delivery, on the
    /// delivering thread; it must only signal (a session in IDLE yields a wake-up
    /// to itself). Returns whether something is already waiting to be taken, so
    /// the caller misses nothing delivered before the observer was set.
    func observe(_ observer: Observer?) -> Bool {
        state.withLock { state in
            state.observer = observer
            return state.overflowed || state.first != nil || state.closed
        }
    }

    /// Whether something is waiting to be taken (a change, a resync, the close).
    var hasWaiting: Bool {
        state.withLock { $0.overflowed || $0.first != nil || $0.closed }
    }

    /// Takes everything queued; nil when there is nothing (and the inbox is open).
    public func take() -> Delivery? {
        switch takeInline() {
        case let .changes(first, rest)?: .changes([first] + rest)
        case .resync?: .resync
        case .closed?: .closed
        case nil: nil
        }
    }

    /// ``take()`` without building an array of the changes (the session's drain).
    func takeInline() -> Taken? {
        state.withLock { state in
            if state.overflowed {
                state.overflowed = false
                return .resync
            }
            if let first = state.first {
                defer {
                    state.first = nil
                    state.rest = []
                }
                return .changes(first: first, rest: state.rest)
            }
            return state.closed ? .closed : nil
        }
    }

    /// Suspends until something can be taken, the inbox closes, or the task is
    /// cancelled (IDLE ended by DONE, or the keepalive timer).
    public func waitForDelivery() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.overflowed || state.first != nil || state.closed || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
