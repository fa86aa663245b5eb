import IMAPCodec
import MailStore

/// STATUS (RFC 9051 6.3.11, STATUS=SIZE of RFC 8438, HIGHESTMODSEQ of RFC 7162
/// 3.1.7, RECENT for IMAP4rev1 clients).
extension Session {
    func handleStatus(tag: String, name: MailboxName, attributes: [StatusAttribute]) async throws {
        try validateStatusAttributes(attributes)
        if attributes.contains(.highestModificationSequence) { condStoreUsed() }
        let storeName = try storeName(name)
        let mailbox = try await user.mailbox(named: storeName)
        send(.untagged(.status(wireName(storeName), try statusValues(of: mailbox, attributes))))
        complete(tag, "STATUS completed")
    }

    /// Refuses items this server does not advertise, and RECENT after ENABLE IMAP4rev2.
    func validateStatusAttributes(_ attributes: [StatusAttribute]) throws {
        for attribute in attributes {
            switch attribute {
            case .messages, .uidNext, .uidValidity, .unseen, .deleted, .size, .highestModificationSequence: continue
            case .recent where !machine.isRev2Enabled: continue
            case .recent, .appendLimit:
                throw SessionError.badArguments("Unsupported STATUS item \(attribute.rawValue)")
            }
        }
    }

    func statusValues(of mailbox: Mailbox, _ attributes: [StatusAttribute]) throws -> [StatusValue] {
        let status = mailbox.status()
        return attributes.map { attribute in
            switch attribute {
            case .messages: .messages(UInt32(clamping: status.messages))
            case .uidNext: .uidNext(status.uidNext)
            case .uidValidity: .uidValidity(status.uidValidity)
            case .unseen: .unseen(UInt32(clamping: status.unseen))
            case .deleted: .deleted(UInt32(clamping: mailbox.search(.deleted).count))
            case .size: .size(UInt64(max(0, status.size)))
            // Messages no session has seen yet (RecentClaims): \Recent for the next one.
            case .recent: .recent(UInt32(clamping: RecentClaims.unclaimedCount(in: mailbox)))
            case .highestModificationSequence: .highestModificationSequence(status.highestModSeq)
            case .appendLimit: .appendLimit(nil)
            }
        }
    }
}
