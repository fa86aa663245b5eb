import IMAPCodec
import MailStore

/// The selected mailbox as the client knows it, and the changes (by this or other
/// sessions) it has not been told about yet.
///
/// The client's sequence numbers are positions in `knownUIDs`. Store changes are
/// recorded as they arrive (`record`) and turned into untagged responses only
/// when the session may send them (`flush`): EXPUNGE only between commands and in
/// IDLE, never during FETCH, STORE or SEARCH (RFC 9051 7.5.1), because until the
/// client hears of an expunge its sequence numbers must keep meaning what they did.
/// EXISTS and FLAGS updates may go out at any time.
struct UntaggedUpdateTracker: Sendable {
    /// UIDs in client sequence order (ascending, as UIDs are).
    private(set) var knownUIDs: [UID]
    /// Expunged in the store, still numbered for the client.
    private var pendingExpunges = UIDSet()
    /// Flags changed by someone; the client will be sent FLAGS.
    private var pendingFlagChanges = UIDSet()
    /// Flag changes this session already reported itself, by the MODSEQ it reported.
    private var reportedModSeqs: [UID: ModSeq] = [:]
    /// The event stream skipped events: compare with the index on the next flush.
    private var needsResync = false
    /// The last event position seen, to notice gaps.
    private var lastPosition: UInt64?
    /// IMAP4rev1 sessions: UIDs reported `\Recent` (first session to see them).
    private(set) var recentUIDs = UIDSet()

    /// `recent`: the messages this session holds as `\Recent` from the start.
    init(view: MailboxView, recent: UIDSet = UIDSet()) {
        knownUIDs = view.uids
        recentUIDs = recent
    }

    var count: Int { knownUIDs.count }
    var highestKnownUID: UID { knownUIDs.last ?? 0 }

    /// The UID at a client sequence number (1-based).
    func uid(atSequence sequence: Int) -> UID? {
        sequence >= 1 && sequence <= knownUIDs.count ? knownUIDs[sequence - 1] : nil
    }

    /// The client sequence number of `uid` (binary search; UIDs ascend).
    func sequenceNumber(of uid: UID) -> Int? {
        var low = 0, high = knownUIDs.count
        while low < high {
            let middle = (low + high) / 2
            if knownUIDs[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low < knownUIDs.count && knownUIDs[low] == uid ? low + 1 : nil
    }

    /// Whether the store removed `uid` and the client has not been told.
    func isPendingExpunge(_ uid: UID) -> Bool { pendingExpunges.contains(uid) }

    /// Messages the store removed that the client has not been told of.
    var pendingExpungeUIDs: UIDSet { pendingExpunges }

    /// Notes a store event. A gap in positions means the subscriber overflowed: the
    /// next flush compares the client's view with the index instead of trusting
    /// the events.
    mutating func record(_ event: MailboxEvent) {
        record(event.change, position: event.position)
    }

    mutating func record(_ change: MailboxChange, position: UInt64) {
        if let lastPosition, position != lastPosition + 1 { needsResync = true }
        lastPosition = position
        record(change)
    }

    mutating func record(_ change: MailboxChange) {
        switch change {
        case .appended: break // found from the view on flush
        case let .flagsChanged(uids, _): pendingFlagChanges = pendingFlagChanges.union(uids)
        case let .expunged(uids, _): pendingExpunges = pendingExpunges.union(uids)
        }
    }

    /// Forces a full comparison with the index on the next flush (a subscriber that
    /// overflowed, or a session that was away from its stream).
    mutating func markNeedsResync() { needsResync = true }

    /// Whether nothing waits to be reported: no expunge, no flag change, no resync.
    /// (New messages are found from the view, so they do not count.)
    var isSettled: Bool { pendingExpunges.isEmpty && pendingFlagChanges.isEmpty && !needsResync }

    /// The client was told of exactly `uids` on this session's behalf (its shard's
    /// announcement table): the messages it knew, then the new ones, in order.
    mutating func adoptAnnounced(_ uids: [UID]) {
        knownUIDs = uids
    }

    /// `\Recent` claims made on this session's behalf (its shard's announcement table).
    mutating func adoptRecent(_ claimed: UIDSet) {
        recentUIDs = recentUIDs.union(claimed)
    }

    /// Notes that this session already sent FLAGS for `uid` at `modSeq` (its own
    /// STORE, or an implicit `\Seen`), so the echo of its own change is not sent twice.
    mutating func noteReported(uid: UID, modSeq: ModSeq) {
        // Bounded: echoes lost to an overflow would otherwise keep their notes
        // forever; forgetting them only risks a repeated FLAGS line.
        if reportedModSeqs.count >= Self.reportedNoteLimit { reportedModSeqs.removeAll() }
        reportedModSeqs[uid] = modSeq
    }

    private static let reportedNoteLimit = 65_536

    /// Removes messages this session expunged itself and returns their EXPUNGE
    /// responses, ascending, each number counted after the ones before it
    /// (RFC 9051 7.5.1's example: 3, 3, 5, 8); with `vanished` (QRESYNC enabled)
    /// one `VANISHED` of their UIDs instead (RFC 7162 3.2.10.2).
    mutating func expungeNow(_ uids: UIDSet, vanished: Bool = false) -> [UntaggedResponse] {
        pendingExpunges = pendingExpunges.union(uids)
        return takeExpunges(vanished: vanished)
    }

    /// The updates the client may be sent now. `allowExpunge` is false during
    /// FETCH / STORE / SEARCH (and their UID forms). `includeUID` adds UID to flag
    /// updates. `claimRecent` gets the newly seen UIDs and returns those this
    /// session is the first to see (`RecentClaims`); IMAP4rev1 sessions (`rev1`)
    /// hear RECENT with each EXISTS and see `\Recent` in FLAGS. `condStore`: the
    /// client enabled CONDSTORE, so flag updates carry UID and MODSEQ (RFC 7162
    /// 3.1 and 3.2.4); `vanished`: it enabled QRESYNC, so expunges go as one
    /// VANISHED of UIDs (3.2.10.2).
    mutating func flush(
        view: MailboxView, allowExpunge: Bool, includeUID: Bool = false, rev1: Bool = false, condStore: Bool = false,
        vanished: Bool = false, claimRecent: ((ArraySlice<UID>) -> UIDSet)? = nil
    ) -> [UntaggedResponse] {
        if needsResync {
            resync(with: view)
            needsResync = false
        }
        var responses: [UntaggedResponse] = []
        if allowExpunge { responses += takeExpunges(vanished: vanished) }
        // New messages: every UID in the index above the highest the client knows.
        let lastKnown = highestKnownUID
        var position = view.count
        while position > 0, view.uid(atSequence: position) > lastKnown { position -= 1 }
        // A slice of the index's array: no copy per idler on the wake path.
        let added = view.uids[position...]
        if !added.isEmpty {
            if knownUIDs.count == position {
                // The client knows exactly the view's first `position` messages (the
                // argument of `shareIfCurrent`): share the index's array instead of
                // appending to the shared one, which would copy every UID, per idler.
                knownUIDs = view.uids
            } else {
                knownUIDs += added
            }
            if let claimRecent {
                // All but the first session to see a message claim nothing: no union.
                let claimed = claimRecent(added)
                if !claimed.isEmpty { recentUIDs = recentUIDs.union(claimed) }
            }
        }
        if !added.isEmpty {
            responses.append(.exists(UInt32(knownUIDs.count)))
            if rev1 { responses.append(.recent(UInt32(recentUIDs.count))) }
        }
        responses += takeFlagChanges(view: view, includeUID: includeUID || condStore, modSeq: condStore, rev1: rev1)
        shareIfCurrent(view)
        return responses
    }

    /// When the client now knows exactly the messages the index holds (the usual
    /// state after an update reaches an idler), keeps the index's UID array instead
    /// of a private copy: every session of a mailbox then shares one array, where
    /// each would otherwise hold 4 bytes per message after the first change.
    ///
    /// Equal counts mean equal lists: after a flush every UID of the view is known
    /// (those above the highest known were just added; those below it were known
    /// unless expunged, and UIDs are never reused), so the known list can only be
    /// longer, by expunges not yet reported. The last UIDs are compared as well.
    private mutating func shareIfCurrent(_ view: MailboxView) {
        guard knownUIDs.count == view.count, knownUIDs.last == view.uids.last else { return }
        knownUIDs = view.uids
    }

    /// The client's view loses the pending expunges it knows of: EXPUNGE per
    /// message, or (`vanished`) one VANISHED naming only UIDs the client was told
    /// of (RFC 7162 3.2.10.2: never one it has not heard of, or heard gone).
    private mutating func takeExpunges(vanished: Bool) -> [UntaggedResponse] {
        guard !pendingExpunges.isEmpty else { return [] }
        var responses: [UntaggedResponse] = []
        var gone: [UID] = []
        var kept: [UID] = []
        kept.reserveCapacity(knownUIDs.count)
        for uid in knownUIDs {
            if pendingExpunges.contains(uid) {
                if vanished {
                    gone.append(uid)
                } else {
                    // Earlier removals already shifted this one down to kept.count + 1.
                    responses.append(.expunge(UInt32(kept.count + 1)))
                }
                reportedModSeqs[uid] = nil
            } else {
                kept.append(uid)
            }
        }
        if !gone.isEmpty { responses.append(.vanished(earlier: false, SearchResponder.compress(gone))) }
        recentUIDs = recentUIDs.subtracting(pendingExpunges)
        pendingFlagChanges = pendingFlagChanges.subtracting(pendingExpunges)
        knownUIDs = kept
        pendingExpunges = UIDSet()
        return responses
    }

    private mutating func takeFlagChanges(view: MailboxView, includeUID: Bool, modSeq: Bool, rev1: Bool) -> [UntaggedResponse] {
        guard !pendingFlagChanges.isEmpty else { return [] }
        var responses: [UntaggedResponse] = []
        for uid in pendingFlagChanges {
            guard let sequence = sequenceNumber(of: uid), let message = view.message(uid: uid) else { continue }
            // The echo of this session's own change may arrive after the command
            // that made it; the note stays until the echo is seen.
            if let reported = reportedModSeqs.removeValue(forKey: uid), reported >= message.modSeq { continue }
            var items: [FetchResponseItem] = []
            if includeUID { items.append(.uid(uid)) }
            items.append(.flags(FlagTranslation.wireFlags(message.flags, recent: rev1 && recentUIDs.contains(uid))))
            if modSeq { items.append(.modificationSequence(message.modSeq)) }
            responses.append(.fetch(UInt32(sequence), items))
        }
        pendingFlagChanges = UIDSet()
        return responses
    }

    /// After missed events: whatever the client knows that the index lacks was
    /// expunged; flags may have changed anywhere, so every known message gets its
    /// FLAGS again (the resynchronisation an overflowing subscriber needs).
    private mutating func resync(with view: MailboxView) {
        var gone: [ClosedRange<UID>] = []
        var still: [ClosedRange<UID>] = []
        for uid in knownUIDs {
            if view.sequenceNumber(of: uid) == nil { gone.append(uid...uid) } else { still.append(uid...uid) }
        }
        pendingExpunges = pendingExpunges.union(UIDSet(gone))
        pendingFlagChanges = pendingFlagChanges.union(UIDSet(still))
        reportedModSeqs.removeAll()
    }
}
