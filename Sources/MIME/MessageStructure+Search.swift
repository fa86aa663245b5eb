extension MessageStructure {
    /// True when the message (the bytes this structure was parsed from) contains
    /// `key` in `scope`, compared case-insensitively after RFC 2047 decoding of
    /// headers and transfer and charset decoding of bodies.
    public func contains(_ key: SearchKey, in scope: SearchScope, message: UnsafeRawBufferPointer) -> Bool {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return false }
        switch scope {
        case .header(let name):
            let values = searchableHeaderValues(named: name, bytes)
            return values.contains { key.isFound(in: $0) }
        case .body:
            return searchBody(key, bytes)
        case .text:
            return key.isFound(in: searchableHeader(of: parts[0], bytes)) || searchBody(key, bytes)
        }
    }

    /// The values of the top-level header fields named `name`, unfolded, with
    /// encoded-words decoded, case-folded. Address fields (From, To, Cc, Bcc,
    /// Sender, Reply-To and their Resent- forms) are searched in a normalized
    /// form, `Name <local@domain>, group: …;`, so comments and odd spacing inside
    /// an address do not hide it.
    public func searchableHeaderValues(named name: String, in message: UnsafeRawBufferPointer) -> [[UInt8]] {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return [] }
        return searchableHeaderValues(named: name, bytes)
    }

    /// The top-level header as searchable text: `name: value` lines, decoded and
    /// case-folded.
    public func searchableHeader(in message: UnsafeRawBufferPointer) -> [UInt8] {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return [] }
        return searchableHeader(of: parts[0], bytes)
    }

    /// The body as searchable texts, one per text part (transfer encoding removed,
    /// converted to UTF-8, case-folded) and one per attached message header.
    public func searchableBodyTexts(in message: UnsafeRawBufferPointer) -> [[UInt8]] {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return [] }
        var texts: [[UInt8]] = []
        forEachBodyText(bytes) { texts.append($0); return false }
        return texts
    }

    // MARK: - Internals

    private func searchBody(_ key: SearchKey, _ bytes: MessageBytes) -> Bool {
        var found = false
        forEachBodyText(bytes) { text in
            found = key.isFound(in: text)
            return found
        }
        return found
    }

    /// Calls `visit` with each searchable body text until it returns true.
    private func forEachBodyText(_ bytes: MessageBytes, _ visit: ([UInt8]) -> Bool) {
        for (index, part) in parts.enumerated() {
            if part.kind == .message, let encapsulated = part.firstChild {
                if visit(searchableHeader(of: parts[encapsulated], bytes)) { return }
            }
            guard part.kind == .leaf, part.isText, index > 0 || part.body.count > 0 else { continue }
            if visit(Self.searchableText(of: part, bytes)) { return }
        }
    }

    private func searchableHeaderValues(named name: String, _ bytes: MessageBytes) -> [[UInt8]] {
        let wanted = FieldName.lowercased(name.utf8)
        let isAddressField = Self.addressFields.contains(wanted)
        return fields[parts[0].fieldRange].compactMap { field in
            guard FieldName.equals(bytes.buffer(field.name), wanted) else { return nil }
            return Self.searchableValue(of: field, isAddressField: isAddressField, bytes)
        }
    }

    /// One field's value as SEARCH compares it: address fields normalized, other
    /// fields trimmed and unfolded with encoded-words decoded; case-folded.
    static func searchableValue(of field: HeaderField, isAddressField: Bool, _ bytes: MessageBytes) -> [UInt8] {
        if isAddressField {
            return CaseFolding.fold(searchableAddresses(AddressList.parse(bytes, value: field.rawValue)))
        }
        return CaseFolding.fold(EncodedWords.decode(bytes.copy(bytes.trimmed(field.rawValue))))
    }

    static let addressFields: Set<[UInt8]> = Set(
        ["from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to", "resent-cc", "resent-bcc",
         "resent-sender"].map { Array($0.utf8) })

    /// `Name <local@domain>` per mailbox (names decoded), `group:` and `;` for
    /// group markers, joined by ", ".
    static func searchableAddresses(_ addresses: [EnvelopeAddress]) -> [UInt8] {
        var text: [UInt8] = []
        for address in addresses {
            if !text.isEmpty { text += Array(", ".utf8) }
            guard let host = address.host else {
                if let group = address.mailbox { text += EncodedWords.decode(group) + [UInt8(ascii: ":")] } else { text.append(UInt8(ascii: ";")) }
                continue
            }
            let spec = (address.mailbox ?? []) + [UInt8(ascii: "@")] + host
            if let name = address.name {
                text += EncodedWords.decode(name) + Array(" <".utf8) + spec + [UInt8(ascii: ">")]
            } else {
                text += spec
            }
        }
        return text
    }

    private func searchableHeader(of part: MessagePart, _ bytes: MessageBytes) -> [UInt8] {
        var text: [UInt8] = []
        for field in fields[part.fieldRange] { Self.appendSearchableLine(of: field, to: &text, bytes) }
        return CaseFolding.fold(text)
    }

    /// One `name: value` line of a searchable header (not yet folded); `BodySearch`
    /// builds the same text from serialized structure bytes.
    static func appendSearchableLine(of field: HeaderField, to text: inout [UInt8], _ bytes: MessageBytes) {
        text += bytes.copy(field.name)
        text += [UInt8(ascii: ":"), UInt8(ascii: " ")]
        text += EncodedWords.decode(bytes.copy(bytes.trimmed(field.rawValue)))
        text.append(0x0A)
    }

    /// A text part's content: transfer encoding removed, converted to UTF-8, folded.
    /// Static, so `BodySearch` decodes one part without decoding the structure.
    static func searchableText(of part: MessagePart, _ bytes: MessageBytes) -> [UInt8] {
        let section = BinarySection(range: part.body, encoding: part.encoding == .unknown ? .binary : part.encoding)
        let raw = section.decoded(from: UnsafeRawBufferPointer(bytes.buffer(ByteRange(start: 0, end: bytes.count))))
        let utf8 = CharsetConverter.utf8(from: raw, charset: part.charset.utf8) ?? CharsetConverter.repairedUTF8(raw)
        return CaseFolding.fold(utf8)
    }
}
