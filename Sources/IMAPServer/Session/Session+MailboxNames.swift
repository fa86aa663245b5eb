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
    /// A pattern that is not valid modified UTF-7 is kept as sent: it matches no
    /// stored name, so LIST answers OK with nothing, as for any other miss.
    func storePattern(_ pattern: String) -> String {
        if machine.isRev2Enabled { return pattern }
        return ModifiedUTF7.decode(pattern) ?? pattern
    }

    /// The name to send the client for a store name.
    func wireName(_ name: String) -> MailboxName {
        machine.isRev2Enabled ? MailboxName(name) : MailboxName(name).encodedAsModifiedUTF7()
    }
}
