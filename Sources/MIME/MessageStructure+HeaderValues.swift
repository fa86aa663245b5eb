/// A mailbox from an address header, for SORT (RFC 5256 FROM/TO/CC use the
/// mailbox; RFC 5957 DISPLAYFROM/DISPLAYTO the display name) and similar uses.
public struct MailboxAddress: Hashable, Sendable {
    /// The display name with RFC 2047 encoded-words decoded, or nil when absent.
    public var displayName: String?
    /// The local part (`addr-mailbox`), unquoted.
    public var mailbox: String
    /// The domain (`addr-host`).
    public var host: String
    /// The name of the group this mailbox was listed in, if any.
    public var group: String?

    public init(displayName: String?, mailbox: String, host: String, group: String?) {
        self.displayName = displayName
        self.mailbox = mailbox
        self.host = host
        self.group = group
    }
}

extension MessageStructure {
    /// The values of the top-level header fields named `name` (ASCII case
    /// insensitive), in order: unfolded, trimmed, RFC 2047 encoded-words decoded,
    /// as UTF-8 text. Not case-folded; see `searchableHeaderValues` for SEARCH.
    public func decodedHeaderValues(named name: String, in message: UnsafeRawBufferPointer) -> [String] {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return [] }
        let wanted = FieldName.lowercased(name.utf8)
        return fields[parts[0].fieldRange].compactMap { field in
            guard FieldName.equals(bytes.buffer(field.name), wanted) else { return nil }
            return String(decoding: EncodedWords.decode(bytes.copy(bytes.trimmed(field.rawValue))), as: UTF8.self)
        }
    }

    /// The mailboxes of the first top-level header field named `name` (From, To,
    /// Cc, ...), group members included, group markers left out.
    public func mailboxes(named name: String, in message: UnsafeRawBufferPointer) -> [MailboxAddress] {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return [] }
        let wanted = FieldName.lowercased(name.utf8)
        guard let field = fields[parts[0].fieldRange].first(where: { FieldName.equals(bytes.buffer($0.name), wanted) })
        else { return [] }
        var group: String?
        var result: [MailboxAddress] = []
        for address in AddressList.parse(bytes, value: field.rawValue) {
            guard let host = address.host else {
                group = address.mailbox.map { String(decoding: EncodedWords.decode($0), as: UTF8.self) }
                continue
            }
            result.append(MailboxAddress(
                displayName: address.name.map { String(decoding: EncodedWords.decode($0), as: UTF8.self) },
                mailbox: String(decoding: address.mailbox ?? [], as: UTF8.self),
                host: String(decoding: host, as: UTF8.self),
                group: group))
        }
        return result
    }
}
