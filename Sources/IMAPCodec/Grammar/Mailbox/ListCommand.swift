/// A LIST command with the LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and
/// SPECIAL-USE (RFC 6154) options.
///
///     list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
public struct ListCommand: Hashable, Sendable {
    public var selectionOptions: [ListSelectionOption]
    public var reference: MailboxName
    /// One pattern, or several from `(pattern ...)`; may contain `%` and `*`.
    public var patterns: [String]
    public var returnOptions: [ListReturnOption]

    public init(
        selectionOptions: [ListSelectionOption] = [], reference: MailboxName,
        patterns: [String], returnOptions: [ListReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}
