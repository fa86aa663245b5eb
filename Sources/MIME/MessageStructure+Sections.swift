extension MessageStructure {
    /// The byte ranges of `section` in `message` (then of `partial`, if given).
    /// `message` must be the bytes this structure was parsed from; only
    /// HEADER.FIELDS(.NOT) reads it, to compare field names.
    ///
    /// Part numbering follows RFC 9051 §6.4.5.1: a message that is not multipart
    /// has a part 1 (its body); the parts of a multipart are numbered from 1; the
    /// numbers after a message/rfc822 part address the encapsulated message.
    public func ranges(
        for section: SectionSpec, partial: Partial? = nil, in message: UnsafeRawBufferPointer
    ) throws(SectionError) -> SectionRanges {
        let ranges = try sectionRanges(section, MessageBytes(message))
        guard let partial else { return ranges }
        return ranges.applying(partial)
    }

    /// The index in `parts` of the part numbered `path`; `path` must not be empty.
    public func partIndex(for path: [Int]) throws(SectionError) -> Int {
        guard !path.isEmpty else { throw .noSuchPart }
        var current = 0
        for (position, number) in path.enumerated() {
            guard number >= 1 else { throw .noSuchPart }
            let container: Int
            if position == 0 {
                container = 0
            } else if parts[current].kind == .message, let encapsulated = parts[current].firstChild {
                container = encapsulated
            } else if parts[current].kind == .multipart {
                current = try child(number, of: current)
                continue
            } else {
                throw .noSuchPart
            }
            // A message's part numbers: its multipart's children, or 1 for itself.
            if parts[container].kind == .multipart {
                current = try child(number, of: container)
            } else {
                guard number == 1 else { throw .noSuchPart }
                current = container
            }
        }
        return current
    }

    private func child(_ number: Int, of index: Int) throws(SectionError) -> Int {
        var remaining = number
        var child = parts[index].firstChild
        while let current = child {
            remaining -= 1
            if remaining == 0 { return current }
            child = parts[current].nextSibling
        }
        throw .noSuchPart
    }

    private func sectionRanges(_ section: SectionSpec, _ bytes: MessageBytes) throws(SectionError) -> SectionRanges {
        let messageRoot: Int
        if section.part.isEmpty {
            guard let text = section.text else {
                return SectionRanges([ByteRange(start: 0, end: messageSize)])
            }
            if text == .mime { throw .mimeNeedsPart }
            messageRoot = 0
        } else {
            let index = try partIndex(for: section.part)
            let part = parts[index]
            switch section.text {
            case nil:
                return SectionRanges([part.body])
            case .mime?:
                return SectionRanges([part.header])
            default:
                guard part.kind == .message, let encapsulated = part.firstChild else { throw .notAMessage }
                messageRoot = encapsulated
            }
        }
        let root = parts[messageRoot]
        switch section.text {
        case .header?:
            return SectionRanges([root.header])
        case .text?:
            return SectionRanges([root.body])
        case .headerFields(let names)?:
            return headerFields(of: root, names: names, keep: true, bytes)
        case .headerFieldsNot(let names)?:
            return headerFields(of: root, names: names, keep: false, bytes)
        case .mime?, nil:
            return SectionRanges([root.header])
        }
    }

    /// The fields of `part` whose names are (`keep`) or are not in `names`, then
    /// the blank line: RFC 9051 keeps it in every header fetch.
    private func headerFields(of part: MessagePart, names: [String], keep: Bool, _ bytes: MessageBytes) -> SectionRanges {
        let wanted = names.map { FieldName.lowercased($0.utf8) }
        var ranges: [ByteRange] = []
        // A buffer that is not the parsed message (shorter) matches no field.
        for field in fields[part.fieldRange] where field.range.end <= bytes.count {
            let name = bytes.buffer(field.name)
            let matches = wanted.contains { FieldName.equals(name, $0) }
            if matches == keep { ranges.append(field.range) }
        }
        if part.blankLineLength > 0 {
            ranges.append(ByteRange(start: part.header.end - part.blankLineLength, end: part.header.end))
        }
        return SectionRanges(ranges)
    }
}
