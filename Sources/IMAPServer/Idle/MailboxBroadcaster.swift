import MailStore
import ShardRuntime
import Synchronization

/// A shard's registry of mailbox subscribers (ARCHITECTURE.md, "IDLE: per-mailbox
/// broadcast shards"). However many sessions of a shard watch one mailbox, the
/// shard holds ONE subscription to the mailbox's change stream; one pump task,
/// preferring the shard's executor, fans each change out to the sessions' inboxes.
/// So a change costs the store one yield per shard with subscribers, and the
/// fan-out stays on the shard where those sessions run.
///
/// Neither the store nor other sessions ever wait for a subscriber: the store's
/// stream drops the oldest events of a pump that falls behind (the gap is seen in
/// the positions and every local inbox is told to resync), and each inbox is
/// bounded on its own (`ChangeInbox`).
///
/// Typical use, in a session:
///
///     let subscription = shard.broadcaster.subscribe(to: mailbox)   // before taking the view
///     …
///     switch subscription.inbox.take() { case .changes(let c)?: tracker.record(c) … }
///     subscription.cancel()                                          // CLOSE, SELECT elsewhere, logout
public final class MailboxBroadcaster: Sendable {
    /// A session's registration; cancel it when the mailbox is deselected.
    public final class Subscription: Sendable {
        public let inbox: ChangeInbox
        /// The shard's shared encodings of EXISTS/RECENT (for the wake of an idler).
        public let sizeUpdateLines: SizeUpdateLines
        let key: ObjectIdentifier
        let id: Int
        weak let broadcaster: MailboxBroadcaster?

        init(inbox: ChangeInbox, key: ObjectIdentifier, id: Int, broadcaster: MailboxBroadcaster) {
            self.inbox = inbox
            self.key = key
            self.id = id
            self.broadcaster = broadcaster
            sizeUpdateLines = broadcaster.sizeUpdateLines
        }

        public func cancel() {
            broadcaster?.unsubscribe(key: key, id: id)
            inbox.close()
        }

        deinit { broadcaster?.unsubscribe(key: key, id: id) }
    }

    private struct Entry {
        var subscribers: [Int: ChangeInbox] = [:]
        /// The subscribers' inboxes as the pump delivers to them, kept between
        /// changes (nil after a subscribe or unsubscribe): a change to a mailbox
        /// with 10,000 idlers then costs the pump one retain of this array, not a
        /// new array and a retain and release of every inbox.
        var delivery: [ChangeInbox]?
        var pump: Task<Void, Never>?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    /// One per shard, like the broadcaster: the sessions it wakes share these lines.
    public let sizeUpdateLines = SizeUpdateLines()
    private let executor: (any TaskExecutor)?
    private let inboxCapacity: Int
    /// Idlers woken between two turns of the shard's loop during one fan-out.
    private let fanoutSlice: Int

    /// `executor`: the shard (pumps run there); nil runs them on the global pool.
    /// `inboxCapacity`: changes a session may have waiting before it resyncs.
    /// `fanoutSlice`: idlers woken before the shard's loop gets a turn (``yieldToShard()``).
    public init(executor: (any TaskExecutor)?, inboxCapacity: Int = 1024, fanoutSlice: Int = 256) {
        precondition(fanoutSlice > 0)
        self.executor = executor
        self.inboxCapacity = inboxCapacity
        self.fanoutSlice = fanoutSlice
    }

    /// Mailboxes with at least one subscriber on this shard (tests, metrics).
    public var watchedMailboxCount: Int { state.withLock { $0.entries.count } }

    public func subscriberCount(of mailbox: Mailbox) -> Int {
        state.withLock { $0.entries[ObjectIdentifier(mailbox)]?.subscribers.count ?? 0 }
    }

    /// Registers a subscriber. The first one of a mailbox subscribes this shard to
    /// the store's stream right here, synchronously, so no change made after this
    /// call returns can be missed.
    public func subscribe(to mailbox: Mailbox) -> Subscription {
        let key = ObjectIdentifier(mailbox)
        let inbox = ChangeInbox(capacity: inboxCapacity)
        let id = state.withLock { state -> Int in
            state.nextID += 1
            let id = state.nextID
            // In place: a copy of the entry would copy its whole subscriber table,
            // making 10,000 subscriptions cost 10,000² / 2 entry copies.
            state.entries[key, default: Entry()].subscribers[id] = inbox
            state.entries[key]!.delivery = nil
            if state.entries[key]!.pump == nil {
                let stream = mailbox.changes()
                state.entries[key]!.pump = Task(executorPreference: executor) { [weak self] in
                    await self?.pump(stream, key: key)
                }
            }
            return id
        }
        return Subscription(inbox: inbox, key: key, id: id, broadcaster: self)
    }

    private func unsubscribe(key: ObjectIdentifier, id: Int) {
        let pump = state.withLock { state -> Task<Void, Never>? in
            // In place, as in `subscribe`.
            guard state.entries[key]?.subscribers.removeValue(forKey: id) != nil else { return nil }
            state.entries[key]!.delivery = nil
            guard state.entries[key]!.subscribers.isEmpty else { return nil }
            return state.entries.removeValue(forKey: key)?.pump
        }
        // Cancelling ends the stream's iteration, which unsubscribes from the store.
        pump?.cancel()
    }

    /// Lets the shard run one turn of its loop in the middle of a large fan-out: the
    /// sends queued so far are submitted, their completions reaped, and whatever
    /// else waits on the shard runs, above all the APPEND whose change this is, so
    /// its OK is not sent after the last of 5,000 idlers' updates (and other users'
    /// commands on the shard wait one slice, not the whole fan-out).
    private func yieldToShard() async {
        if let shard = Shard.current {
            // A timeout of zero completes in the ring's next turn, after its submission.
            try? await shard.sleep(for: .zero)
        } else {
            await Task.yield()
        }
    }

    private func pump(_ stream: AsyncStream<MailboxEvent>, key: ObjectIdentifier) async {
        var lastPosition: UInt64?
        for await event in stream {
            let inboxes = state.withLock { state -> [ChangeInbox] in
                // In place, as in `subscribe`.
                guard state.entries[key] != nil else { return [] }
                if let delivery = state.entries[key]!.delivery { return delivery }
                let delivery = Array(state.entries[key]!.subscribers.values)
                state.entries[key]!.delivery = delivery
                return delivery
            }
            if let lastPosition, event.position != lastPosition + 1 {
                for inbox in inboxes { inbox.deliverOverflow() }
            } else {
                // One view and one \Recent claim for the shard's idlers, not one each.
                let round = inboxes.count > 1 ? FanoutRound(mailbox: key, sizeUpdateLines: sizeUpdateLines) : nil
                for (position, inbox) in inboxes.enumerated() {
                    if position > 0, position % fanoutSlice == 0 {
                        await yieldToShard()
                        round?.renewView()
                    }
                    inbox.deliver(event.change, round: round)
                }
            }
            lastPosition = event.position
        }
        // The mailbox closed: tell whoever is still subscribed.
        let inboxes = state.withLock { state -> [ChangeInbox] in
            guard let entry = state.entries[key], !Task.isCancelled else { return [] }
            state.entries[key] = nil
            return Array(entry.subscribers.values)
        }
        for inbox in inboxes { inbox.close() }
    }
}

extension MailboxBroadcaster {
    private static let perShard = Mutex<[ObjectIdentifier: MailboxBroadcaster]>([:])
    private static let unsharded = MailboxBroadcaster(executor: nil)

    /// The broadcaster of the shard the caller runs on (a session runs on its
    /// user's home shard, so all of a user's sessions share one); off any shard
    /// (tools, tests without a runtime) one shared broadcaster on the global pool.
    static func forCurrentShard() -> MailboxBroadcaster {
        guard let shard = Shard.current else { return unsharded }
        return perShard.withLock { table in
            if let existing = table[ObjectIdentifier(shard)] { return existing }
            let created = MailboxBroadcaster(executor: shard)
            table[ObjectIdentifier(shard)] = created
            return created
        }
    }
}
