import MailStore
import Synchronization

/// IMAP4rev1's `\Recent`: a message is recent in exactly one session, the first
/// to see it (RFC 3501 2.3.2). The store does not keep it (IMAP4rev2 dropped the
/// flag), so the server keeps, per mailbox and in memory, the highest UID some
/// session has already claimed; a session claims the UIDs above it. After a
/// restart every message is new again to the first session, which is what the
/// flag promises ("first session to be notified").
enum RecentClaims {
    private static let claimed = Mutex<[String: UID]>([:])

    /// Claims, for the calling session, the UIDs of `uids` (ascending) that no
    /// session has seen yet, and returns them. A read-only session (EXAMINE) sees
    /// them as recent without claiming them, so they stay recent for the next
    /// session (as RFC 3501's EXAMINE example expects, and Dovecot does).
    static func claim(_ uids: some BidirectionalCollection<UID>, in mailbox: Mailbox, readOnly: Bool = false) -> UIDSet {
        guard let highest = uids.last else { return UIDSet() }
        let boundary = claimed.withLock { table -> UID in
            let previous = table[mailbox.directory] ?? 0
            if highest > previous, !readOnly { table[mailbox.directory] = highest }
            return previous
        }
        guard highest > boundary else { return UIDSet() }
        return UIDSet(uids: uids.reversed().prefix { $0 > boundary })
    }

    /// How many messages no session has claimed yet (STATUS RECENT): those the
    /// next session to select the mailbox will hold as `\Recent`.
    static func unclaimedCount(in mailbox: Mailbox) -> Int {
        let boundary = claimed.withLock { $0[mailbox.directory] ?? 0 }
        let uids = mailbox.view().uids
        var count = 0
        for uid in uids.reversed() {
            guard uid > boundary else { break }
            count += 1
        }
        return count
    }
}
