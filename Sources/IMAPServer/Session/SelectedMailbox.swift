import MailStore

/// The mailbox a session has selected: the store's mailbox, the view the client
/// has been told about, its sequence-number ↔ UID map, and whether it is read-only
/// (EXAMINE). The view advances only when the session reports changes to the
/// client, so sequence numbers stay those the client knows (RFC 9051 section 7.5.1).
struct SelectedMailbox: Sendable {
    /// The name in the store (UTF-8, `/` delimited); follows a RENAME by this session.
    var name: String
    let mailbox: Mailbox
    /// The state the client knows.
    var view: MailboxView
    let isReadOnly: Bool
    /// Changes not yet reported and the client's sequence numbering
    /// (SelectedMailbox+Updates.swift, issue 7).
    var updates: UntaggedUpdateTracker
    /// This session's place in its shard's broadcast of the mailbox's changes.
    let subscription: MailboxBroadcaster.Subscription
    /// The result saved by `SEARCH RETURN (SAVE)`, for `$` (RFC 5182).
    var savedSearch = UIDSet()

    init(name: String, mailbox: Mailbox, isReadOnly: Bool) {
        self.name = name
        self.mailbox = mailbox
        // Subscribe before taking the view, so no change falls between the two.
        subscription = MailboxBroadcaster.forCurrentShard().subscribe(to: mailbox)
        self.view = mailbox.view()
        self.isReadOnly = isReadOnly
        updates = UntaggedUpdateTracker(view: view, recent: RecentClaims.claim(view.uids, in: mailbox, readOnly: isReadOnly))
    }

    /// Messages the client knows of (its highest sequence number).
    var messageCount: Int { updates.count }

    /// The UID at a 1-based sequence number the client knows.
    func uid(atSequence sequence: Int) -> UID? {
        updates.uid(atSequence: sequence)
    }

    /// The sequence number of a UID in the client's view, if present.
    func sequenceNumber(of uid: UID) -> Int? {
        updates.sequenceNumber(of: uid)
    }
}
