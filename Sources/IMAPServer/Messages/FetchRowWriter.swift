import IMAPCodec
import MIME
import MailStore

/// Writes `* n FETCH (…)` responses straight into the output for a FETCH whose
/// every item comes from the index row (UID, FLAGS, INTERNALDATE, RFC822.SIZE,
/// MODSEQ) or from the message's header cache entry (`BODY[HEADER.FIELDS (…)]` of
/// fields the cache keeps, without a partial range): the shapes clients sync a
/// mailbox with (`FETCH 1:* (UID FLAGS)`, FAST, a folder listing's header fields),
/// and ENVELOPE / BODYSTRUCTURE / BODY copied from the message file's cached
/// structure, where they are stored rendered.
///
/// Per message it reads the borrowed index columns (`MailboxRows`) and the
/// entry's bytes, reserves the response's upper bound in the buffer once and
/// fills it: no item array, no `Message`, no flag names, no number formatted
/// through a `String`, and nothing reference-counted is copied (the layout is
/// borrowed, its header sections are plain masks and offsets). The bytes equal
/// those of `encode(.untagged(.fetch(n, FetchResponder.items(for: plan, …))))`,
/// item for item (tests hold the two side by side).
struct FetchRowWriter {
    /// One item of the response, in order.
    enum Item: Equatable {
        case uid, flags, internalDate, rfc822Size, modificationSequence
        /// A `BODY[HEADER.FIELDS (…)]` item: its label is `labels[labelRange]`.
        case headerFields(CachedHeaderFields.FieldMask, labelStart: Int32, labelEnd: Int32)
        /// ENVELOPE, BODYSTRUCTURE or BODY: copied as the message file's cached
        /// structure holds it rendered (what `FetchResponder` sends too).
        case rendered(RenderedItem)
    }

    /// What every response of the command shares, worked out once.
    struct Layout {
        let items: [Item]
        /// The encoded `BODY[…]` labels of the header items, one after another.
        let labels: [UInt8]
        /// Whether a FLAGS item is asked for (else FLAGS follows the items when
        /// the fetch just set `\Seen`).
        let asksFlags: Bool
        let asksInternalDate: Bool
        let needsHeaderEntry: Bool
        let headerSections: Int
        /// Whether an item is copied from the message file's structure.
        let needsStructure: Bool
        let reportsRecent: Bool
        /// Bound of everything but FLAGS and the header sections' data.
        let fixedBound: Int
    }

    let layout: Layout
    private var flagItems: EncodedFlagItems

    /// Nil when an item needs the message file (ENVELOPE, BODYSTRUCTURE, a body
    /// section the cache does not answer, a partial range): the caller builds
    /// items then.
    init?(plan: FetchPlan, byUID: Bool, reportsRecent: Bool, encoder: ResponseEncoder, keywordNames: [String]) {
        var items: [Item] = []
        var labels: [UInt8] = []
        let attributes = plan.attributes
        if byUID, !attributes.contains(.uid) { items.append(.uid) }
        for (position, attribute) in attributes.enumerated() {
            switch attribute {
            case .uid: items.append(.uid)
            case .flags: items.append(.flags)
            case .internalDate: items.append(.internalDate)
            case .rfc822Size: items.append(.rfc822Size)
            case .modificationSequence: items.append(.modificationSequence)
            case .envelope: items.append(.rendered(.envelope))
            case .bodyStructure: items.append(.rendered(.bodyStructure))
            case .body: items.append(.rendered(.body))
            case let .bodySection(section, nil, _):
                guard let fields = plan.headerSelection(at: position)?.cachedFields else { return nil }
                let label = plan.sectionLabel(at: position)?.bytes ?? encoder.encodedBodySectionLabel(section, origin: nil).bytes
                let start = Int32(labels.count)
                labels += label
                items.append(.headerFields(fields, labelStart: start, labelEnd: Int32(labels.count)))
            default:
                return nil
            }
        }
        // "* " n " FETCH (" … ")" CRLF, per item a space and its longest form, and
        // the space before a FLAGS item added after the rest.
        var bound = 2 + ReservedBytes.maximumNumberLength + 8 + 3 + 1
        var headerSections = 0
        var needsStructure = false
        for item in items {
            bound += 1
            switch item {
            case .uid: bound += 4 + ReservedBytes.maximumNumberLength
            case .flags: break
            case .internalDate: bound += 13 + ReservedBytes.dateTimeLength
            case .rfc822Size: bound += 12 + ReservedBytes.maximumNumberLength
            case .modificationSequence: bound += 9 + ReservedBytes.maximumNumberLength
            case let .headerFields(_, start, end):
                bound += Int(end - start) + 1 + ReservedBytes.maximumLiteralHeaderLength
                headerSections += 1
            case let .rendered(rendered):
                bound += Self.renderedLabel(rendered).utf8CodeUnitCount
                needsStructure = true
            }
        }
        layout = Layout(
            items: items, labels: labels, asksFlags: items.contains(.flags), asksInternalDate: items.contains(.internalDate),
            needsHeaderEntry: headerSections > 0, headerSections: headerSections, needsStructure: needsStructure,
            reportsRecent: reportsRecent,
            fixedBound: bound)
        flagItems = EncodedFlagItems(encoder: encoder, keywordNames: keywordNames)
    }

    /// `ENVELOPE ` and so on: the item's name and the space before its value.
    static func renderedLabel(_ item: RenderedItem) -> StaticString {
        switch item {
        case .envelope: "ENVELOPE "
        case .bodyStructure: "BODYSTRUCTURE "
        case .body: "BODY "
        }
    }

    /// Writes the response of the message at `row` of `rows`, sequence number
    /// `number`, and returns true; or writes nothing and returns false when the
    /// message's `structure` (its file's cached structure bytes, needed when the
    /// layout `needsStructure`) does not hold an item rendered (another format):
    /// the caller builds that message's items from the file. `headerEntry` is its
    /// header cache entry; it must be there when the layout `needsHeaderEntry`.
    /// `seenChanged`: this fetch just set `\Seen`, so FLAGS is shown even if not
    /// asked for; `recent`: the session holds it as recent. `layout` is this
    /// writer's own, passed borrowed by a caller that writes many responses
    /// (reading it through `self` would retain its arrays per message).
    @discardableResult
    mutating func write(
        number: UInt32, row: Int, of rows: borrowing MailboxRows, headerEntry: UnsafeRawBufferPointer?,
        structure: UnsafeRawBufferPointer? = nil,
        seenChanged: Bool, recent: Bool, layout: borrowing Layout, into buffer: inout ResponseBuffer
    ) -> Bool {
        var bound = layout.fixedBound
        if layout.needsStructure {
            guard let structure else { return false }
            // Each rendered item is found again while writing; its length bounds it here.
            for item in layout.items {
                guard case let .rendered(rendered) = item else { continue }
                guard let range = try? MessageStructure.renderedItemRange(rendered, inSerialized: structure) else { return false }
                bound += range.count
            }
        }
        var flags: Range<Int32> = 0..<0
        if layout.asksFlags || seenChanged {
            flags = flagItems.range(system: rows.systemFlags(row), keywordMask: rows.keywordMask(row),
                                    recent: recent && layout.reportsRecent)
            bound += flags.count
        }
        if layout.needsHeaderEntry {
            // A section's data is some of the entry's bytes: the entry bounds it.
            guard let headerEntry else { preconditionFailure("a header section without the message's cache entry") }
            bound += layout.headerSections * headerEntry.count
        }
        let uid = rows.uid(row)
        let size = rows.size(row)
        let modSeq = rows.modSeq(row)
        let internalDate = layout.asksInternalDate ? rows.internalDate(row).wireDateTime : nil
        let addsFlags = seenChanged && !layout.asksFlags
        flagItems.withStorage { flagStorage in
            let flagBytes = UnsafeRawBufferPointer(rebasing: flagStorage[Int(flags.lowerBound)..<Int(flags.upperBound)])
            layout.labels.withUnsafeBytes { labels in
                buffer.writeReserved(upTo: bound) { out in
                    out.write("* ")
                    out.writeNumber(UInt64(number))
                    out.write(" FETCH (")
                    var first = true
                    for item in layout.items {
                        if !first { out.write(0x20) }
                        first = false
                        switch item {
                        case .uid:
                            out.write("UID ")
                            out.writeNumber(UInt64(uid))
                        case .flags:
                            out.write(flagBytes)
                        case .internalDate:
                            out.write("INTERNALDATE ")
                            if let internalDate { out.writeDateTime(internalDate) }
                        case .rfc822Size:
                            out.write("RFC822.SIZE ")
                            out.writeNumber(UInt64(size))
                        case .modificationSequence:
                            out.write("MODSEQ (")
                            out.writeNumber(modSeq)
                            out.write(UInt8(ascii: ")"))
                        case let .headerFields(fields, labelStart, labelEnd):
                            guard let headerEntry else { break }
                            out.write(UnsafeRawBufferPointer(rebasing: labels[Int(labelStart)..<Int(labelEnd)]))
                            out.write(0x20)
                            let count = CachedHeaderFields.headerFieldsCount(fields, entry: headerEntry)
                            out.writeLiteralHeader(count: count)
                            let start = out.count
                            CachedHeaderFields.forEachHeaderFieldsRun(fields, entry: headerEntry) { out.write($0) }
                            precondition(out.count - start == count, "a literal's data must be as long as announced")
                        case let .rendered(rendered):
                            guard let structure,
                                  let range = try? MessageStructure.renderedItemRange(rendered, inSerialized: structure)
                            else { preconditionFailure("a rendered item found once and not again") }
                            out.write(Self.renderedLabel(rendered))
                            out.write(UnsafeRawBufferPointer(rebasing: structure[range]))
                        }
                    }
                    if addsFlags {
                        if !first { out.write(0x20) }
                        out.write(flagBytes)
                    }
                    out.write(")\r\n")
                }
            }
        }
        return true
    }
}
