import IMAPCodec
import MIME
import MailStore

/// FETCH responses answered from a header cache entry, written straight into the
/// output buffer: the header fields go from the entry to the buffer with no array
/// of items and no copy of the data per message in between, which is most of what
/// a header FETCH of a large mailbox costs. The bytes equal those of
/// `encode(.untagged(.fetch(n, items(for: plan, …, headerEntry: entry, …))))`.
extension FetchResponder {
    /// Writes `* number FETCH (…)` for `message` into `buffer`. The plan must be
    /// `isAnsweredByHeaderCache`: every item is an index item or a cached
    /// `HEADER.FIELDS` section.
    func writeCachedResponse(
        number: UInt32, plan: FetchPlan, message: MailboxView.Message, headerEntry entry: UnsafeRawBufferPointer,
        byUID: Bool, seenChanged: Bool, recent: Bool, encoder: ResponseEncoder, flagItems: inout EncodedFlagItems,
        into buffer: inout ResponseBuffer
    ) {
        precondition(plan.isAnsweredByHeaderCache, "a FETCH the header cache cannot answer")
        let attributes = plan.attributes
        encoder.beginFetch(number, into: &buffer)
        var first = true
        func write(_ item: FetchResponseItem) {
            encoder.encodeFetchItem(item, first: first, into: &buffer)
            first = false
        }
        func writeFlags() {
            let wireRecent = recent && reportsRecent
            let encoded = flagItems.encoded(message.flags, recent: wireRecent) {
                var item = ResponseBuffer(capacity: 32)
                encoder.encodeFetchItem(.flags(FlagTranslation.wireFlags(message.flags, recent: wireRecent)), first: true, into: &item)
                return item.bytes
            }
            if !first { buffer.writeBytes(CollectionOfOne(0x20)) }
            buffer.writeBytes(encoded)
            first = false
        }
        if byUID, !attributes.contains(.uid) { write(.uid(message.uid)) }
        for (position, attribute) in attributes.enumerated() {
            switch attribute {
            case .flags: writeFlags()
            case .uid: write(.uid(message.uid))
            case .internalDate: write(.internalDate(message.internalDate.wireDateTime))
            case .rfc822Size: write(.rfc822Size(UInt64(message.size)))
            case .modificationSequence: write(.modificationSequence(message.modSeq))
            case let .bodySection(section, partial, _):
                guard let selection = plan.headerSelections[position] else { preconditionFailure("not a cached section") }
                let label = plan.sectionLabels[position] ?? encoder.encodedBodySectionLabel(section, origin: partial?.offset)
                if partial != nil {
                    // A partial header section (rare): cut from a copy.
                    guard case let .bytes(bytes)? = Self.cachedHeaderFields(selection, partial, entry) else {
                        preconditionFailure("not a cached section")
                    }
                    encoder.encodeFetchLiteralItem(label: label, count: bytes.count, first: first, into: &buffer) {
                        $0.writeBytes(bytes)
                    }
                } else {
                    var count = 0
                    CachedHeaderFields.forEachHeaderFieldsRun(selection, entry: entry) { count += $0.count }
                    encoder.encodeFetchLiteralItem(label: label, count: count, first: first, into: &buffer) { output in
                        CachedHeaderFields.forEachHeaderFieldsRun(selection, entry: entry) { output.writeBytes($0) }
                    }
                }
                first = false
            default:
                preconditionFailure("an item the header cache does not answer")
            }
        }
        if seenChanged, !attributes.contains(.flags) { writeFlags() }
        encoder.endFetch(into: &buffer)
    }
}

/// The `FLAGS (…)` items one FETCH has encoded, by the flags they show: a mailbox
/// has few distinct flag sets, so most messages reuse one instead of building a
/// list of flag names and encoding it again. Keeps the last `capacity` sets.
struct EncodedFlagItems {
    static let capacity = 8
    private var entries: [(flags: MessageFlags, recent: Bool, bytes: [UInt8])] = []
    private var next = 0

    /// The encoded item for `flags`, made by `encode` the first time.
    mutating func encoded(_ flags: MessageFlags, recent: Bool, _ encode: () -> [UInt8]) -> [UInt8] {
        for entry in entries where entry.recent == recent && entry.flags == flags { return entry.bytes }
        let bytes = encode()
        if entries.count < Self.capacity {
            entries.append((flags, recent, bytes))
        } else {
            entries[next] = (flags, recent, bytes)
            next = (next + 1) % Self.capacity
        }
        return bytes
    }
}
