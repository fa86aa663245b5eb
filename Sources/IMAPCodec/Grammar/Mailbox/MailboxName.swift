/// A mailbox name as the client wrote it, with every case variant of INBOX folded to
/// `INBOX` (RFC 9051 section 5.1).
///
/// The name is kept in its wire form. IMAP4rev1 clients send modified UTF-7
/// (`&ZeVnLIqe-`); IMAP4rev2 and UTF8=ACCEPT clients send UTF-8. The server knows which
/// the session speaks and converts with ``decodedFromModifiedUTF7()`` when needed.
///
///     mailbox = "INBOX" / astring
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    /// The name's bytes, valid UTF-8.
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = Self.isInboxSpelling(rawValue) ? "INBOX" : rawValue
    }

    public static let inbox = MailboxName("INBOX")

    public var isInbox: Bool { rawValue == "INBOX" }

    public var description: String { rawValue }

    /// The UTF-8 name for a wire name in modified UTF-7, or nil if it is not valid
    /// modified UTF-7 (RFC 9051 section 5.1.3).
    public func decodedFromModifiedUTF7() -> MailboxName? {
        ModifiedUTF7.decode(rawValue).map(MailboxName.init)
    }

    /// The modified UTF-7 wire name for an IMAP4rev1 client.
    public func encodedAsModifiedUTF7() -> MailboxName {
        MailboxName(ModifiedUTF7.encode(rawValue))
    }

    static func isInboxSpelling(_ name: String) -> Bool {
        name.utf8.count == 5 && asciiCaseInsensitiveEqual(name, "INBOX")
    }
}
