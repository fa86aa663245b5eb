/// The top-level header fields a mailbox's header cache keeps for one message, in
/// one compact byte string (an "entry"), so header FETCH and header SEARCH read a
/// few hundred contiguous bytes per message instead of the message's structure and
/// body. An entry only ever holds bytes copied from the message, so it can always be
/// rebuilt from the message file and is never a second source of truth.
///
/// Which fields: `fieldNames`, a fixed set: the fields mail clients fetch when they
/// list a mailbox (Thunderbird, Apple Mail, mutt, K-9 and the load tools ask for
/// subsets of it), those ENVELOPE is built from, and every field a SEARCH key names
/// (FROM, TO, CC, BCC, SUBJECT). A field costs memory only in the messages that
/// have it, so rarer names clients list (Newsgroups, Lines, X-Label) cost little.
/// A fixed set keeps an entry a pure function of the
/// message: no cache decision can make two entries of one mailbox disagree.
///
/// Layout, all offsets relative to the entry:
///
///     entry = blank-length:u8 blank-line-bytes field*
///     field = total:u16le name-length:u8 value-offset:u8 value-length:u16le kind:u8 bytes
///
/// `kind` is the field's position in `fieldNames`, so a FETCH selects fields by a
/// bit mask instead of comparing names. `bytes` is the field exactly as in the message (name through final line break),
/// `value-offset` where its value starts, `blank-line-bytes` the line ending the
/// header (empty when the header has none). Fields appear in message order. A
/// message with a kept field too long for the layout gets no entry (`append` says
/// false) and is read from its file instead.
public enum CachedHeaderFields {
    /// The fields kept, in lowercase.
    public static let fieldNames: [String] = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to",
        "references", "content-type", "content-description", "list-id", "list-post", "list-unsubscribe",
        "priority", "x-priority", "importance", "newsgroups", "lines", "x-label",
    ]

    static let keptNames: Set<[UInt8]> = Set(fieldNames.map { Array($0.utf8) })
    /// Each kept name's `kind`.
    static let kinds: [[UInt8]: UInt8] = Dictionary(
        uniqueKeysWithValues: fieldNames.enumerated().map { (Array($0.element.utf8), UInt8($0.offset)) })

    static let fieldRecordSize = 7

    /// Whether `name` (any case) is among the kept fields.
    public static func keeps(_ name: String) -> Bool {
        keptNames.contains(FieldName.lowercased(name.utf8))
    }

    /// Appends the entry of `message` to `entry`, reading the fields from its
    /// serialized structure without decoding it. False (and `entry` unchanged) when
    /// the message cannot have an entry; throws when `serialized` is not a structure
    /// of this format for these bytes.
    public static func append(
        serialized: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, to entry: inout [UInt8]
    ) throws(StructureDecodingError) -> Bool {
        let bytes = MessageBytes(message)
        let start = entry.count
        entry.append(0)  // blank line length, written below
        var fits = true
        let header = try MessageStructure.forEachTopLevelField(serialized: serialized, messageSize: bytes.count) { field in
            guard let kind = kinds[FieldName.lowercased(bytes.buffer(field.name))] else { return false }
            let valueOffset = field.valueStart - field.range.start
            guard field.range.count <= Int(UInt16.max), field.nameLength <= 255, valueOffset <= 255,
                  field.rawValue.count <= Int(UInt16.max)
            else {
                fits = false
                return true
            }
            appendUInt16(field.range.count, to: &entry)
            entry.append(UInt8(field.nameLength))
            entry.append(UInt8(valueOffset))
            appendUInt16(field.rawValue.count, to: &entry)
            entry.append(kind)
            entry.append(contentsOf: bytes.buffer(field.range))
            return false
        }
        guard fits else {
            entry.removeSubrange(start...)
            return false
        }
        let blank = ByteRange(start: header.range.end - header.blankLineLength, end: header.range.end)
        entry[start] = UInt8(blank.count)
        entry.insert(contentsOf: bytes.buffer(blank), at: start + 1)
        return true
    }

    /// `BODY[HEADER.FIELDS (names)]` of the message `entry` was made from: the same
    /// bytes `MessageStructure.topLevelHeaderFieldRanges` locates in the message.
    /// Nil when the selection names a field the entry does not keep (or is a .NOT).
    public static func headerFields(_ selection: HeaderFieldSelection, entry: UnsafeRawBufferPointer) -> [UInt8]? {
        guard selection.isAnsweredByCache else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(entry.count)
        forEachHeaderFieldsRun(selection, entry: entry) { result.append(contentsOf: $0) }
        return result
    }

    /// Calls `body` with each run of bytes of `headerFields(selection, entry:)`, in
    /// order, without copying them: the selected fields, then the blank line. For
    /// a selection `isAnsweredByCache` only.
    public static func forEachHeaderFieldsRun(
        _ selection: HeaderFieldSelection, entry: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        assert(selection.isAnsweredByCache)
        forEachHeaderFieldsRun(FieldMask(bits: selection.cacheMask), entry: entry, body)
    }

    /// The fields a `HeaderFieldSelection` keeps, as the entry's kinds: a plain
    /// value, for a loop over many entries that should not touch the names.
    public struct FieldMask: Hashable, Sendable {
        let bits: UInt32
    }

    /// `forEachHeaderFieldsRun(selection, …)` for the selection's `cachedFields`.
    public static func forEachHeaderFieldsRun(
        _ fields: FieldMask, entry: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        let blank = forEachRecord(entry) { start, total, kind in
            if fields.bits & (1 << kind) != 0 { body(UnsafeRawBufferPointer(rebasing: entry[start..<(start + total)])) }
        }
        body(UnsafeRawBufferPointer(rebasing: entry[blank]))
    }

    /// The length of `headerFields` for the selection's `cachedFields`, without
    /// touching the field bytes (a response announces it before the data).
    public static func headerFieldsCount(_ fields: FieldMask, entry: UnsafeRawBufferPointer) -> Int {
        var count = 0
        let blank = forEachRecord(entry) { _, total, kind in
            if fields.bits & (1 << kind) != 0 { count += total }
        }
        return count + blank.count
    }

    /// Walks the field records of an entry as `forEachField` does, reading only
    /// where each field's bytes start, their length and kind: the loop a FETCH of
    /// many messages runs twice per message. Returns the blank line's range.
    @inline(__always)
    private static func forEachRecord(
        _ entry: UnsafeRawBufferPointer, _ visit: (_ start: Int, _ total: Int, _ kind: UInt8) -> Void
    ) -> Range<Int> {
        guard entry.count > 0 else { return 0..<0 }
        let blankEnd = min(entry.count, 1 + Int(entry[0]))
        var offset = blankEnd
        while offset + fieldRecordSize <= entry.count {
            let total = Int(entry[offset]) | Int(entry[offset + 1]) << 8
            let start = offset + fieldRecordSize
            guard start + total <= entry.count else {
                assertionFailure("malformed header cache entry")
                break
            }
            visit(start, total, entry[offset + 6])
            offset = start + total
        }
        return 1..<blankEnd
    }

    /// Calls `visit` with each field of the entry, as offsets into it, and its
    /// kind, until it returns true; returns the range of the blank line. A
    /// malformed entry (only a bug could make one) stops the walk.
    static func forEachField(_ bytes: MessageBytes, _ visit: (HeaderField, UInt8) -> Bool) -> ByteRange {
        guard bytes.count > 0 else { return ByteRange(start: 0, end: 0) }
        let blankLength = Int(bytes[0])
        let blank = ByteRange(start: 1, end: min(bytes.count, 1 + blankLength))
        var offset = blank.end
        while offset + fieldRecordSize <= bytes.count {
            let total = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            let nameLength = Int(bytes[offset + 2])
            let valueOffset = Int(bytes[offset + 3])
            let valueLength = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8
            let kind = bytes[offset + 6]
            let start = offset + fieldRecordSize
            let valueStart = start + valueOffset
            guard start + total <= bytes.count, valueStart + valueLength <= start + total else {
                assertionFailure("malformed header cache entry")
                break
            }
            let field = HeaderField(
                range: ByteRange(start: start, end: start + total), nameLength: nameLength,
                valueStart: valueStart, valueEnd: valueStart + valueLength)
            if visit(field, kind) { break }
            offset = start + total
        }
        return blank
    }

    private static func appendUInt16(_ value: Int, to entry: inout [UInt8]) {
        entry.append(UInt8(truncatingIfNeeded: value))
        entry.append(UInt8(truncatingIfNeeded: value >> 8))
    }
}

extension HeaderFieldSelection {
    /// The fields it keeps as a `CachedHeaderFields.FieldMask`, when the header
    /// cache answers it (`isAnsweredByCache`); nil otherwise.
    public var cachedFields: CachedHeaderFields.FieldMask? {
        isAnsweredByCache ? CachedHeaderFields.FieldMask(bits: cacheMask) : nil
    }
}

extension HeaderSearch {
    /// True when the header cache keeps the field this key searches.
    public var isAnsweredByCache: Bool { cacheKind != nil }

    /// `matches(serialized:message:)` answered from a header cache entry of the
    /// message (see `CachedHeaderFields`): the same fields, compared by the same
    /// code, so the answer is the same. Only for keys `isAnsweredByCache`.
    public func matches(cachedEntry entry: UnsafeRawBufferPointer) -> Bool {
        let bytes = MessageBytes(entry)
        var found = false
        guard let wanted = cacheKind else { return false }
        _ = CachedHeaderFields.forEachField(bytes) { field, kind in
            guard kind == wanted else { return false }
            found = valueMatches(field, bytes)
            return found
        }
        return found
    }
}
