import IMAPCodec
import MailStore
import ShardRuntime

/// What a session's client was told by its shard's broadcaster while the session
/// itself was not run (``IdleAnnouncementTable``): it now knows exactly `view`'s
/// messages (nil: no lines were written for it), and `claimed` were claimed as
/// `\Recent` on its behalf.
struct IdleAnnouncement: Sendable {
    var view: MailboxView?
    var claimed: UIDSet
}

/// One shard's dense table of the idle sessions of one mailbox whose clients know
/// exactly a prefix of the mailbox and have nothing else waiting, so that a new
/// message is announced to each of them by writing the shard's shared
/// `* n EXISTS` (and, for IMAP4rev1, `* m RECENT`) bytes to its connection, without
/// running the session, its inbox, its observer or its update tracker: at 10,000
/// idlers a change otherwise touches those cold objects once per idler, most of the
/// fan-out's time in user space.
///
/// The session catches up lazily (``take(_:)``): whenever it runs again (DONE, the
/// keepalive, any other change) it first takes what was announced, adopts the view
/// and the `\Recent` claims, and only then computes its own updates, so nothing is
/// announced twice and sequence numbers stay the client's.
///
/// Only appends go this way. A flag change, an expunge or a lost event ``disband()``s
/// the table: every session then hears it through its inbox as before, catching up
/// first. A slot whose client's view differs from the round's view (it has not heard
/// of an expunge the view already lacks, say) or whose connection cannot take the
/// bytes now is left to its session (``announce(in:view:lines:round:mailbox:fallback:)``
/// reports it).
///
/// Invariants: used under its broadcaster's lock. A slot is `enrolled` from its
/// session's ``enroll(_:)`` until ``take(_:)``, ``remove(_:)`` or ``disband()``; while
/// enrolled its inbox gets no appends (the table speaks for it), and its session has
/// nothing queued in its own output (so the connection's order is the client's).
/// Slots are never moved while enrolled (a removed one is left vacant and reused), so
/// a fan-out that pauses between slices resumes at the right index.
struct IdleAnnouncementTable {
    /// An enrolled idler as the table sees it.
    struct Enrollment {
        var connection: Connection
        var inbox: ChangeInbox
        /// Messages the client knows, the highest of their UIDs, and how many it
        /// holds as `\Recent` (rev1's RECENT count).
        var knownCount: Int
        var highestUID: UID
        var recentCount: Int
        var rev1: Bool
        var readOnly: Bool
    }

    /// A slot's plain state, apart from its objects (``connections``, ``inboxes``): the
    /// fan-out reads and writes these without touching the inbox at all, and the
    /// connection only to write to it.
    private struct Slot {
        var id = 0
        var enrolled = false
        /// Messages the client knows, the highest of their UIDs, its RECENT count.
        var knownCount = 0
        var highestUID: UID = 0
        var recentCount = 0
        var rev1 = false
        var readOnly = false
        /// The view the client was last told of (an epoch of ``views``; 0: nothing
        /// told since the enrollment) and the `\Recent` claims made for it.
        var viewEpoch = 0
        var claimed = UIDSet()
        /// The slot's connection, unretained: ``connections`` holds it for as long as
        /// this does. Read by a fan-out without a retain, which on a cold object is an
        /// atomic that waits for its cache miss alone (see ``warm(_:)``).
        var connection: Unmanaged<Connection>?
        var holdsAnnouncement: Bool { viewEpoch != 0 || !claimed.isEmpty }
    }

    /// The views slots were told of, by epoch, each with how many slots hold it. A
    /// view is a dozen array buffers shared by both shards: a copy in every slot
    /// would retain and release each of them per idler, atomics on lines the other
    /// shard is touching too. Epochs are consecutive from `views.first`; entries no
    /// slot holds are dropped from the front.
    private var views: [(epoch: Int, view: MailboxView, holders: Int)] = []
    private var nextEpoch = 1

    private var slots: [Slot] = []
    private var connections: [Connection?] = []
    private var inboxes: [ChangeInbox?] = []
    private var vacant: [Int] = []
    /// Subscription id → slot index, for every slot holding an enrollment or an
    /// announcement not yet taken.
    private var slotOf: [Int: Int] = [:]

    /// Enrolled idlers (tests, the pump's choice of path).
    private(set) var enrolledCount = 0
    /// Slots to visit in a fan-out (enrolled or vacant).
    var slotCount: Int { slots.count }

    /// Whether subscription `id` is enrolled (the pump leaves its inbox out of appends).
    func isEnrolled(_ id: Int) -> Bool {
        guard let index = slotOf[id] else { return false }
        return slots[index].enrolled
    }

    /// Whether subscription `id` holds a slot (enrolled, or with an announcement not taken).
    func holdsSlot(_ id: Int) -> Bool { slotOf[id] != nil }

    /// Enrolls subscription `id`, which must not hold a slot already.
    mutating func enroll(_ id: Int, _ enrollment: Enrollment) {
        precondition(slotOf[id] == nil, "enrolled twice")
        let slot = Slot(
            id: id, enrolled: true, knownCount: enrollment.knownCount, highestUID: enrollment.highestUID,
            recentCount: enrollment.recentCount, rev1: enrollment.rev1, readOnly: enrollment.readOnly,
            connection: Unmanaged.passUnretained(enrollment.connection))
        let index: Int
        if let reused = vacant.popLast() {
            index = reused
            slots[index] = slot
            connections[index] = enrollment.connection
            inboxes[index] = enrollment.inbox
        } else {
            index = slots.count
            slots.append(slot)
            connections.append(enrollment.connection)
            inboxes.append(enrollment.inbox)
        }
        slotOf[id] = index
        enrolledCount += 1
    }

    /// Ends subscription `id`'s slot and returns what was announced for it (nil: nothing).
    mutating func take(_ id: Int) -> IdleAnnouncement? {
        guard let index = slotOf.removeValue(forKey: id) else { return nil }
        var announcement: IdleAnnouncement?
        if slots[index].holdsAnnouncement {
            let epoch = slots[index].viewEpoch
            announcement = IdleAnnouncement(view: epoch == 0 ? nil : release(epoch), claimed: slots[index].claimed)
        }
        if slots[index].enrolled { enrolledCount -= 1 }
        slots[index] = Slot()
        connections[index] = nil
        inboxes[index] = nil
        vacant.append(index)
        return announcement
    }

    /// Forgets subscription `id` (it ended).
    mutating func remove(_ id: Int) { _ = take(id) }

    /// Ends every enrollment; announcements stay for their sessions to take. Returns
    /// whether any slot was enrolled.
    mutating func disband() -> Bool {
        guard enrolledCount > 0 else { return false }
        for index in slots.indices where slots[index].enrolled { slots[index].enrolled = false }
        enrolledCount = 0
        return true
    }

    /// Announces `view`'s new messages to the enrolled slots in `range`: each whose
    /// client knows exactly the view's first messages gets the shared lines written
    /// to its connection. A slot the table cannot serve (its client's view differs,
    /// or its connection does not take the bytes now) leaves the table and its inbox
    /// is appended to `fallback`, for the caller to deliver the change to once the
    /// lock is released. `round` claims `\Recent` once for the shard. Returns how many
    /// clients the table told.
    @discardableResult
    mutating func announce(
        in range: Range<Int>, view: MailboxView, lines: SizeUpdateLines, round: FanoutRound, mailbox: Mailbox,
        fallback: inout [ChangeInbox]
    ) -> Int {
        let uids = view.uids
        let count = uids.count
        guard let highest = uids.last else { return 0 }
        var told = 0
        while let first = views.first, first.holders == 0 { views.removeFirst() }
        let epoch = nextEpoch
        nextEpoch += 1
        views.append((epoch, view, 0))
        // The last encoding used: idlers of one round nearly all hear the same lines.
        var cached: (recent: Int?, bytes: [UInt8])?
        warm(range)
        // Fields are read in place, never the whole slot: a copy would retain its
        // objects, a cold line per idler.
        for index in range.clamped(to: slots.indices) where slots[index].enrolled {
            let known = slots[index].knownCount
            let knownHighest = slots[index].highestUID
            guard known != count || knownHighest != highest else { continue }  // nothing new
            guard Self.knowsPrefix(count: known, highestUID: knownHighest, of: uids) else {
                leave(index, into: &fallback)
                continue
            }
            let added = uids[known...]
            // Claimed before the lines are written (they carry the new RECENT count);
            // a claim made for a slot whose write then fails is handed to its session.
            let claimed = round.claimRecent(added, in: mailbox, readOnly: slots[index].readOnly)
            let recent = slots[index].rev1 ? slots[index].recentCount + claimed.count : nil
            let bytes: [UInt8]
            if let cached, cached.recent == recent {
                bytes = cached.bytes
            } else {
                bytes = lines.bytes(exists: UInt32(count), recent: recent.map(UInt32.init))
                cached = (recent, bytes)
            }
            // Unretained: `connections[index]` holds it, and nothing here lets go of it.
            let written = slots[index].connection!._withUnsafeGuaranteedRef { $0.writeWithoutWaiting(bytes) }
            guard written else {
                // The session computes and sends these lines itself; the claim is its own.
                if !claimed.isEmpty { slots[index].claimed = slots[index].claimed.union(claimed) }
                leave(index, into: &fallback)
                continue
            }
            if slots[index].viewEpoch != 0 { _ = release(slots[index].viewEpoch) }
            slots[index].viewEpoch = epoch
            if !claimed.isEmpty { slots[index].claimed = slots[index].claimed.union(claimed) }
            slots[index].knownCount = count
            slots[index].highestUID = highest
            if let recent { slots[index].recentCount = recent }
            told += 1
        }
        views[views.count - 1].holders += told
        return told
    }

    /// Starts the cache misses of the enrolled connections of `range` all at once
    /// (``Connection/prefetchForWrite()``) before the writes meet them one at a time.
    /// At 5,000 idlers a shard, each connection is cold when its turn comes (the
    /// kernel's sends of the slices before evicted it), and those misses, met alone,
    /// were most of the fan-out's time in user space.
    private func warm(_ range: Range<Int>) {
        for index in range.clamped(to: slots.indices) where slots[index].enrolled {
            slots[index].connection?._withUnsafeGuaranteedRef { $0.prefetchForWrite() }
        }
    }

    /// One slot lets go of the view of `epoch`, which it held; returns that view.
    private mutating func release(_ epoch: Int) -> MailboxView {
        let position = epoch - views[0].epoch
        views[position].holders -= 1
        return views[position].view
    }

    /// Whether a client that knows `count` messages, the highest `highestUID`, knows
    /// exactly the first `count` of `uids` (the mailbox's, ascending), so that the
    /// rest are new to it and its sequence numbers are theirs. True iff the count-th
    /// UID is its highest: UIDs ascend and are never reused, so a message it knows
    /// that `uids` lacks (expunged) would move a later UID into that place.
    static func knowsPrefix(count: Int, highestUID: UID, of uids: [UID]) -> Bool {
        guard count <= uids.count else { return false }
        return count == 0 ? highestUID == 0 : uids[count - 1] == highestUID
    }

    /// Takes slot `index` out of the table's service: its session is told through its inbox.
    private mutating func leave(_ index: Int, into fallback: inout [ChangeInbox]) {
        guard slots[index].enrolled, let inbox = inboxes[index] else { return }
        slots[index].enrolled = false
        enrolledCount -= 1
        fallback.append(inbox)
    }
}
