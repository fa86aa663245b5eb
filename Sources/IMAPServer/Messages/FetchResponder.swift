import IMAPCodec
import MIME
import MailStore

/// Builds the items of one `* n FETCH (...)` response from what the store keeps:
/// the index row (flags, dates, size, MODSEQ) and the mapped message file, whose
/// cached MIME structure holds ENVELOPE / BODYSTRUCTURE pre-rendered and the byte
/// ranges of every section, so nothing is re-parsed.
///
/// Body sections that are one contiguous range of the message and at least
/// `externalThreshold` bytes long are returned as `BodyData.external` with
/// `source` = the message's UID and `offset` = the offset in the message body
/// (which is also the offset in its file, the body comes first). The session turns
/// those into file-range writes, so large bodies go from the file to the socket
/// without passing through a Swift buffer; smaller or scattered sections
/// (HEADER.FIELDS) and decoded BINARY are copied, which is cheaper than a splice.
struct FetchResponder {
    /// Sections shorter than this are copied into the response buffer.
    var externalThreshold = 16 * 1024
    /// IMAP4rev1 sessions see `\Recent`.
    var reportsRecent = false

    /// Whether any item, fetched without PEEK, sets `\Seen` (RFC 9051 6.4.5).
    static func setsSeen(_ attributes: [FetchAttribute]) -> Bool {
        attributes.contains { attribute in
            switch attribute {
            case let .bodySection(_, _, peek), let .binary(_, _, peek): !peek
            case .rfc822, .rfc822Text: true
            default: false
            }
        }
    }

    /// Whether the items need the message file (anything beyond the index row).
    static func needsMessageFile(_ attributes: [FetchAttribute]) -> Bool {
        attributes.contains { attribute in
            switch attribute {
            case .flags, .uid, .internalDate, .rfc822Size, .modificationSequence: false
            default: true
            }
        }
    }

    /// The response items for `message`, in the order asked, with UID first when
    /// the command was a UID FETCH that did not ask for it (RFC 9051 6.4.8), and
    /// FLAGS added when this fetch just set `\Seen` (`seenChanged`).
    func items(
        for attributes: [FetchAttribute], message: MailboxView.Message, file: MessageFile?,
        byUID: Bool, seenChanged: Bool = false, recent: Bool = false
    ) throws(MessageCommandError) -> [FetchResponseItem] {
        try items(for: FetchPlan(attributes), message: message, file: file, byUID: byUID,
                  seenChanged: seenChanged, recent: recent)
    }

    /// `items(for:…)` with the command's items prepared once (`FetchPlan`).
    /// `headerEntry` is the message's header cache entry, when the plan
    /// `isAnsweredByHeaderCache` and the cache has one; `file` may then be nil.
    func items(
        for plan: FetchPlan, message: MailboxView.Message, file: MessageFile?,
        headerEntry: UnsafeRawBufferPointer? = nil,
        byUID: Bool, seenChanged: Bool = false, recent: Bool = false
    ) throws(MessageCommandError) -> [FetchResponseItem] {
        let attributes = plan.attributes
        var items: [FetchResponseItem] = []
        items.reserveCapacity(attributes.count + 2)
        if byUID, !attributes.contains(.uid) { items.append(.uid(message.uid)) }
        var structure: MessageStructure?
        for (position, attribute) in attributes.enumerated() {
            switch attribute {
            case .flags:
                items.append(.flags(FlagTranslation.wireFlags(message.flags, recent: recent && reportsRecent)))
            case .uid: items.append(.uid(message.uid))
            case .internalDate: items.append(.internalDate(message.internalDate.wireDateTime))
            case .rfc822Size: items.append(.rfc822Size(UInt64(message.size)))
            case .modificationSequence: items.append(.modificationSequence(message.modSeq))
            case .envelope: items.append(.envelope(PreEncodedBytes(rendered(.envelope, file, &structure))))
            case .bodyStructure:
                items.append(.bodyStructure(PreEncodedBytes(rendered(.bodyStructure, file, &structure))))
            case .body: items.append(.body(PreEncodedBytes(rendered(.body, file, &structure))))
            case let .bodySection(section, partial, _):
                let fields = plan.headerSelection(at: position)
                let data = headerEntry.flatMap { entry in fields.flatMap { Self.cachedHeaderFields($0, partial, entry) } }
                    ?? sectionData(Self.sectionSpec(section), partial, message, file, &structure, fields: fields)
                if let label = plan.sectionLabel(at: position) {
                    items.append(.bodySectionLabeled(label, data))
                } else {
                    items.append(.bodySection(section, origin: partial?.offset, data))
                }
            case .rfc822:
                items.append(.rfc822(sectionData(SectionSpec(), nil, message, file, &structure)))
            case .rfc822Header:
                items.append(.rfc822Header(sectionData(SectionSpec(text: .header), nil, message, file, &structure)))
            case .rfc822Text:
                items.append(.rfc822Text(sectionData(SectionSpec(text: .text), nil, message, file, &structure)))
            case let .binary(part, partial, _):
                let (data, hasNUL) = try binaryData(part, partial, message, file, &structure)
                items.append(.binary(part: part, origin: partial?.offset, data, literal8: hasNUL))
            case let .binarySize(part):
                items.append(.binarySize(part: part, try binarySize(part, file, &structure)))
            }
        }
        if seenChanged, !attributes.contains(.flags) {
            items.append(.flags(FlagTranslation.wireFlags(message.flags, recent: recent && reportsRecent)))
        }
        return items
    }

    // MARK: Pieces

    static func sectionSpec(_ section: SectionSpecifier) -> SectionSpec {
        let text: SectionSpec.Text? = switch section.text {
        case nil: nil
        case .header: .header
        case let .headerFields(names): .headerFields(names)
        case let .headerFieldsNot(names): .headerFieldsNot(names)
        case .text: .text
        case .mime: .mime
        }
        return SectionSpec(part: section.part.map(Int.init), text: text)
    }

    /// The cached structure of the message, decoded once per message per FETCH
    /// (re-parsed from the body if the cache is of another format).
    private func structureOf(_ file: MessageFile, _ cache: inout MessageStructure?) -> MessageStructure {
        if let cache { return cache }
        let parsed = file.withStructure { try? MessageStructure(serialized: $0) }
            ?? file.withBody { MessageStructure(parsing: $0) }
        cache = parsed
        return parsed
    }

    private func rendered(_ item: RenderedItem, _ file: MessageFile?, _ cache: inout MessageStructure?) -> [UInt8] {
        guard let file else { return Array("NIL".utf8) }
        if cache == nil, let bytes = file.withStructure({ serialized -> [UInt8]? in
            guard let range = try? MessageStructure.renderedItemRange(item, inSerialized: serialized) else { return nil }
            return [UInt8](UnsafeRawBufferPointer(rebasing: serialized[range]))
        }) {
            return bytes
        }
        let structure = structureOf(file, &cache)
        return switch item {
        case .envelope: structure.envelope
        case .bodyStructure: structure.bodyStructure
        case .body: structure.body
        }
    }

    private func sectionData(
        _ spec: SectionSpec, _ partial: PartialRange?, _ message: MailboxView.Message, _ file: MessageFile?,
        _ cache: inout MessageStructure?, fields: HeaderFieldSelection? = nil
    ) -> BodyData {
        guard let file else { return .none }
        // BODY[] of a large body, the commonest body fetch: its one range, no arrays.
        if spec.part.isEmpty, spec.text == nil, partial == nil, file.bodySize >= externalThreshold {
            return .external(ExternalBytes(source: UInt64(message.uid), offset: 0, count: file.bodySize))
        }
        let window = partial.map { Partial(offset: Self.clampedInt($0.offset), count: Self.clampedInt($0.count)) }
        // BODY[] needs no structure: the whole body is one range.
        let ranges: SectionRanges
        if spec.part.isEmpty, spec.text == nil {
            let whole = SectionRanges([ByteRange(start: 0, end: file.bodySize)])
            ranges = window.map { whole.applying($0) } ?? whole
        } else if cache == nil, let fields, let selected = Self.topLevelHeaderFields(fields, file) {
            ranges = window.map { selected.applying($0) } ?? selected
        } else {
            let structure = structureOf(file, &cache)
            do {
                ranges = try file.withBody { body throws(SectionError) in
                    try structure.ranges(for: spec, partial: window, in: body)
                }
            } catch {
                // A part that does not exist, or HEADER of a non-message part: NIL,
                // as RFC 9051 leaves it to the server and most servers do.
                return .none
            }
        }
        if ranges.ranges.count == 1, ranges.count >= externalThreshold {
            let range = ranges.ranges[0]
            return .external(ExternalBytes(source: UInt64(message.uid), offset: range.start, count: range.count))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ranges.count)
        file.withBody { body in
            for range in ranges.ranges { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[range.offsets])) }
        }
        return .bytes(bytes)
    }

    /// HEADER.FIELDS of the message itself from its header cache entry; nil when
    /// the selection names a field the cache does not keep.
    static func cachedHeaderFields(
        _ selection: HeaderFieldSelection, _ partial: PartialRange?, _ entry: UnsafeRawBufferPointer
    ) -> BodyData? {
        guard let bytes = CachedHeaderFields.headerFields(selection, entry: entry) else { return nil }
        guard let partial else { return .bytes(bytes) }
        let window = Partial(offset: clampedInt(partial.offset), count: clampedInt(partial.count))
        let kept = SectionRanges([ByteRange(start: 0, end: bytes.count)]).applying(window).ranges.first
        return .bytes(kept.map { Array(bytes[$0.offsets]) } ?? [])
    }

    /// HEADER.FIELDS(.NOT) of the message itself, located by the cached structure
    /// without decoding it; nil when the cache is of another format (the caller
    /// decodes or parses then).
    private static func topLevelHeaderFields(_ selection: HeaderFieldSelection, _ file: MessageFile) -> SectionRanges? {
        file.withStructure { structure in
            file.withBody { body in
                try? MessageStructure.topLevelHeaderFieldRanges(selection, serialized: structure, message: body)
            }
        }
    }

    private func binarySection(
        _ part: [UInt32], _ file: MessageFile, _ cache: inout MessageStructure?
    ) throws(MessageCommandError) -> BinarySection? {
        let structure = structureOf(file, &cache)
        do {
            return try structure.binarySection(part: part.map(Int.init))
        } catch .unknownTransferEncoding {
            throw .unknownTransferEncoding
        } catch {
            return nil
        }
    }

    private func binaryData(
        _ part: [UInt32], _ partial: PartialRange?, _ message: MailboxView.Message, _ file: MessageFile?,
        _ cache: inout MessageStructure?
    ) throws(MessageCommandError) -> (BodyData, hasNUL: Bool) {
        guard let file, let section = try binarySection(part, file, &cache) else { return (.none, false) }
        let window = partial.map { Partial(offset: Self.clampedInt($0.offset), count: Self.clampedInt($0.count)) }
        if section.isIdentity {
            var ranges = SectionRanges([section.range])
            if let window { ranges = ranges.applying(window) }
            let range = ranges.ranges.first ?? ByteRange(start: section.range.start, end: section.range.start)
            let hasNUL = file.withBody { body in
                UnsafeRawBufferPointer(rebasing: body[range.offsets]).contains(0)
            }
            if range.count >= externalThreshold {
                return (.external(ExternalBytes(source: UInt64(message.uid), offset: range.start, count: range.count)),
                        hasNUL)
            }
            return (.bytes(file.bytes(in: range.offsets)), hasNUL)
        }
        var decoded = file.withBody { section.decoded(from: $0) }
        if let window {
            let start = min(window.offset, decoded.count)
            let end = min(decoded.count, start + min(window.count, decoded.count - start))
            decoded = Array(decoded[start..<end])
        }
        return (.bytes(decoded), decoded.contains(0))
    }

    private func binarySize(
        _ part: [UInt32], _ file: MessageFile?, _ cache: inout MessageStructure?
    ) throws(MessageCommandError) -> UInt64 {
        guard let file, let section = try binarySection(part, file, &cache) else { return 0 }
        if section.isIdentity { return UInt64(section.range.count) }
        return UInt64(file.withBody { section.decodedSize(in: $0) })
    }

    private static func clampedInt(_ value: UInt64) -> Int {
        value > UInt64(Int.max / 2) ? Int.max / 2 : Int(value)
    }
}
