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

    init(name: String, mailbox: Mailbox, isReadOnly: Bool) {
        self.name = name
        self.mailbox = mailbox
        self.view = mailbox.view()
        self.isReadOnly = isReadOnly
    }

    /// Messages the client knows of (its highest sequence number).
    var messageCount: Int { view.count }

    /// The UID at a 1-based sequence number the client knows.
    func uid(atSequence sequence: Int) -> UID? {
        guard sequence >= 1, sequence <= view.count else { return nil }
        return view.uid(atSequence: sequence)
    }

    /// The sequence number of a UID in the client's view, if present.
    func sequenceNumber(of uid: UID) -> Int? {
        view.sequenceNumber(of: uid)
    }
}
