/// One LIST (or LSUB) response.
///
///     mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
///                    mailbox [SP mbox-list-extended]
public struct ListResponse: Hashable, Sendable {
    /// Attributes as written: `\HasNoChildren`, `\Sent`, `\Subscribed`, ...
    public var attributes: [String]
    /// The hierarchy delimiter, or nil for a flat namespace.
    public var delimiter: Unicode.Scalar?
    /// The name in the form the session uses (modified UTF-7 for IMAP4rev1 clients).
    public var mailbox: MailboxName
    /// Extended items such as `CHILDINFO ("SUBSCRIBED")` or `OLDNAME ("old")`.
    public var extendedItems: [ExtensionParameter]

    public init(
        attributes: [String], delimiter: Unicode.Scalar?, mailbox: MailboxName,
        extendedItems: [ExtensionParameter] = []
    ) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.mailbox = mailbox
        self.extendedItems = extendedItems
    }
}
