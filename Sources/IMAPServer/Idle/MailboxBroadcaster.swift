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
/// An append reaches the idlers whose clients know the mailbox as their sessions do
/// through the shard's announcement table (``IdleAnnouncementTable``): the shared
/// EXISTS bytes are written to their connections without running the sessions,
/// which catch up when they next run. Everything else goes through the inboxes.
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

        /// Puts this subscription's idler in the shard's announcement table, so that
        /// appends are announced to its connection without running its session
        /// (``IdleAnnouncementTable``). False when its inbox holds something (the
        /// session must take that first) or the subscription ended.
        func enrollIdler(_ enrollment: IdleAnnouncementTable.Enrollment) -> Bool {
            broadcaster?.enroll(key: key, id: id, enrollment) ?? false
        }

        /// Ends the enrollment and returns what was announced meanwhile.
        func takeAnnouncement() -> IdleAnnouncement? {
            broadcaster?.takeAnnouncement(key: key, id: id)
        }

        deinit { broadcaster?.unsubscribe(key: key, id: id) }
    }

    private struct Entry {
        var subscribers: [Int: ChangeInbox] = [:]
        /// Idlers whose appends are announced without running their sessions.
        var table = IdleAnnouncementTable()
        var mailbox: Mailbox?
        /// The subscribers' inboxes as the pump delivers to them, kept between
        /// changes (nil after a subscribe or unsubscribe): a change to a mailbox
        /// with 10,000 idlers then costs the pump one retain of this array, not a
        /// new array and a retain and release of every inbox. Enrolled idlers
        /// (``table``) are left out: their appends go through the table.
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
            state.entries[key]!.mailbox = mailbox
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
            state.entries[key]!.table.remove(id)
            state.entries[key]!.delivery = nil
            guard state.entries[key]!.subscribers.isEmpty else { return nil }
            return state.entries.removeValue(forKey: key)?.pump
        }
        // Cancelling ends the stream's iteration, which unsubscribes from the store.
        pump?.cancel()
    }

    /// Clients told of an append by a shard's announcement table, since the process
    /// started (all shards; tests and diagnosis).
    static let toldByTables = Atomic<Int>(0)

    private func enroll(key: ObjectIdentifier, id: Int, _ enrollment: IdleAnnouncementTable.Enrollment) -> Bool {
        state.withLock { state in
            guard state.entries[key]?.subscribers[id] != nil, !state.entries[key]!.table.holdsSlot(id) else { return false }
            // Under this lock, so no append can slip between the check and the enrollment.
            guard !enrollment.inbox.hasWaiting else { return false }
            state.entries[key]!.table.enroll(id, enrollment)
            state.entries[key]!.delivery = nil
            return true
        }
    }

    private func takeAnnouncement(key: ObjectIdentifier, id: Int) -> IdleAnnouncement? {
        state.withLock { state in
            guard state.entries[key] != nil else { return nil }
            if state.entries[key]!.table.isEnrolled(id) { state.entries[key]!.delivery = nil }
            return state.entries[key]!.table.take(id)
        }
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

    /// An append to the table's idlers, a slice at a time with a turn of the shard's
    /// loop between slices (as for inboxes); those the table cannot serve hear it
    /// through their inboxes.
    private func announce(_ change: MailboxChange, to slots: Int, key: ObjectIdentifier, mailbox: Mailbox, round: FanoutRound) async {
        var fallback: [ChangeInbox] = []
        var start = 0
        while start < slots {
            if start > 0 {
                FanoutTrace.note("slice-end", count: start)
                await yieldToShard()
                FanoutTrace.note("slice-start", count: start)
                round.renewView()
            }
            let end = min(start + fanoutSlice, slots)
            // Taken outside the lock: the mailbox's own lock is not nested in ours.
            let view = round.view(of: mailbox)
            let told = state.withLock { state -> Int in
                guard state.entries[key] != nil else { return 0 }
                let told = state.entries[key]!.table.announce(
                    in: start..<end, view: view, lines: sizeUpdateLines, round: round, mailbox: mailbox, fallback: &fallback)
                if !fallback.isEmpty { state.entries[key]!.delivery = nil }
                return told
            }
            Self.toldByTables.add(told, ordering: .relaxed)
            // Outside the lock: a delivery wakes the session, which takes its slot.
            for inbox in fallback { inbox.deliver(change, round: round) }
            fallback.removeAll(keepingCapacity: true)
            start = end
        }
    }

    private func pump(_ stream: AsyncStream<MailboxEvent>, key: ObjectIdentifier) async {
        var lastPosition: UInt64?
        for await event in stream {
            FanoutTrace.note("pump-start")
            FanoutTrace.noteThreadUsage("cpu-start", "ivcsw-start")
            let inSequence = lastPosition.map { event.position == $0 + 1 } ?? true
            let isAppend = if case .appended = event.change { inSequence } else { false }
            let (inboxes, slots, mailbox) = state.withLock { state -> ([ChangeInbox], Int, Mailbox?) in
                // In place, as in `subscribe`.
                guard state.entries[key] != nil else { return ([], 0, nil) }
                // Only appends are the table's: anything else reaches every session
                // through its inbox, each catching up on the table's announcements first.
                if !isAppend, state.entries[key]!.table.disband() { state.entries[key]!.delivery = nil }
                let slots = isAppend ? state.entries[key]!.table.slotCount : 0
                if let delivery = state.entries[key]!.delivery { return (delivery, slots, state.entries[key]!.mailbox) }
                let table = state.entries[key]!.table
                let delivery = state.entries[key]!.subscribers.compactMap { table.isEnrolled($0.key) ? nil : $0.value }
                state.entries[key]!.delivery = delivery
                return (delivery, slots, state.entries[key]!.mailbox)
            }
            if !inSequence {
                for inbox in inboxes { inbox.deliverOverflow() }
            } else {
                // One view and one \Recent claim for the shard's idlers, not one each.
                let round = slots > 0 || inboxes.count > 1 ? FanoutRound(mailbox: key, sizeUpdateLines: sizeUpdateLines) : nil
                if let round, let mailbox, slots > 0 {
                    await announce(event.change, to: slots, key: key, mailbox: mailbox, round: round)
                    if !inboxes.isEmpty {
                        await yieldToShard()
                        round.renewView()
                    }
                }
                for (position, inbox) in inboxes.enumerated() {
                    if position > 0, position % fanoutSlice == 0 {
                        FanoutTrace.note("slice-end", count: position)
                        await yieldToShard()
                        FanoutTrace.note("slice-start", count: position)
                        round?.renewView()
                    }
                    inbox.deliver(event.change, round: round)
                }
                FanoutTrace.note("pump-end", count: inboxes.count + slots)
                FanoutTrace.noteThreadUsage("cpu-end", "ivcsw-end")
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
