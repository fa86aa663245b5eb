import IMAPCodec

/// Mailbox names on the wire are UTF-8 for IMAP4rev2 clients and modified UTF-7
/// for IMAP4rev1 clients (RFC 9051 section 5.1.3); the store always holds UTF-8.
extension Session {
    /// The store's name for a name the client sent.
    func storeName(_ name: MailboxName) throws -> String {
        if machine.isRev2Enabled || name.isInbox { return name.rawValue }
        guard let decoded = name.decodedFromModifiedUTF7() else { throw SessionError.malformedMailboxName }
        return decoded.rawValue
    }

    /// A LIST pattern as the store spells names (wildcards are ASCII and survive).
    func storePattern(_ pattern: String) throws -> String {
        if machine.isRev2Enabled { return pattern }
        guard let decoded = ModifiedUTF7.decode(pattern) else { throw SessionError.malformedMailboxName }
        return decoded
    }

    /// The name to send the client for a store name.
    func wireName(_ name: String) -> MailboxName {
        machine.isRev2Enabled ? MailboxName(name) : MailboxName(name).encodedAsModifiedUTF7()
    }
}
