import MailStore

/// What one shard's fan-out of one mailbox change lends the idle sessions it wakes,
/// so that work every idler would otherwise repeat is done once per shard and
/// change instead of once per idler: the mailbox's view (a lock on the mailbox and a
/// copy of its index, taken by both shards at once) and the answer to "has some
/// session claimed these as `\Recent` already?" (a process-wide lock and a hash of
/// the mailbox's path).
///
/// The first session of the round takes the view; it is taken after the change was
/// published, so it holds at least every change delivered with this round or before
/// it, and a session that drains its inbox during the round sees nothing the view
/// lacks, exactly as if it had asked the mailbox itself a moment later.
///
/// Invariants: created by a broadcaster's pump for one event and used only during
/// that event's delivery loop, on the pump's thread, by sessions woken
/// synchronously from it (``ChangeInbox`` hands it only to an observer it calls
/// itself, and the session uses it only when on its shard's thread); nobody keeps
/// it afterwards. So its variables need no lock. The view is shared only within one
/// slice of the loop (``renewView()``), never across a turn of the shard's loop.
final class FanoutRound: @unchecked Sendable {
    /// The mailbox whose change this round delivers (the broadcaster's key).
    private let mailbox: ObjectIdentifier
    private var sharedView: MailboxView?
    /// A UID at or below which every message is known to be claimed as `\Recent`
    /// by some session (claims only ever rise), so later sessions of the round
    /// skip ``RecentClaims``.
    private var claimedThrough: UID = 0

    /// The shard's shared encodings of EXISTS/RECENT, for the round's idlers to
    /// find without reading their selection (a copy of it, per idler).
    let sizeUpdateLines: SizeUpdateLines

    init(mailbox: ObjectIdentifier, sizeUpdateLines: SizeUpdateLines) {
        self.mailbox = mailbox
        self.sizeUpdateLines = sizeUpdateLines
    }

    /// Whether this round delivers `mailbox`'s change (a session uses it only then).
    func delivers(_ mailbox: Mailbox) -> Bool { ObjectIdentifier(mailbox) == self.mailbox }

    /// The view of the round's mailbox, taken by the first session that asks.
    func view(of mailbox: Mailbox) -> MailboxView {
        if let sharedView { return sharedView }
        let view = mailbox.view()
        sharedView = view
        return view
    }

    /// Forgets the view: the pump calls it after letting the shard run in the middle
    /// of the round, when a session may have taken a newer view on its own (it ended
    /// IDLE, ran commands and idled again), which an older shared view would contradict.
    func renewView() {
        sharedView = nil
    }

    /// ``RecentClaims/claim(_:in:readOnly:)`` for a session of this round: the
    /// first session to see new UIDs claims them; those after it, which would
    /// get nothing back, are answered without the lock.
    func claimRecent(_ uids: ArraySlice<UID>, in mailbox: Mailbox, readOnly: Bool) -> UIDSet {
        guard let highest = uids.last, highest > claimedThrough else { return UIDSet() }
        let claimed = RecentClaims.claim(uids, in: mailbox, readOnly: readOnly)
        // A read-only session claims nothing: the boundary is unknown then.
        if !readOnly { claimedThrough = highest }
        return claimed
    }
}
