import IMAPCodec
import MailStore

/// The `FLAGS (…)` items one FETCH has encoded, by the bits the index keeps (system
/// flags, keyword mask, and whether `\Recent` is shown): a mailbox has few distinct
/// flag sets, so a FETCH of thousands of messages encodes each set once and then
/// copies bytes, with no list of flag names built per message.
///
/// Messages without keywords (most) are found by indexing a table with their system
/// flag bits; sets with keywords are kept in a short list, searched from the one
/// used last. The bytes are those `encodeFetchItem(.flags(FlagTranslation.wireFlags(…)))`
/// writes, because that is how each entry is made.
struct EncodedFlagItems {
    /// Keyword sets kept at once; past it everything starts over (a mailbox whose
    /// messages carry many keyword combinations encodes some of them again), which
    /// bounds `storage` to a few KiB.
    static let keywordSetCapacity = 32
    /// Slots of the table for messages without keywords: system bits × `\Recent`.
    private static let plainSlots = 2 << 5

    private let encoder: ResponseEncoder
    private let keywordNames: [String]
    /// Every encoded item, one after another.
    private var storage: [UInt8] = []
    /// For messages without keywords, by `system | recent << 5`: where the item
    /// lies in `storage` (an empty range: not encoded yet).
    private var plain = [Range<Int32>](repeating: 0..<0, count: EncodedFlagItems.plainSlots)
    private var keyworded: [(system: UInt8, recent: Bool, mask: UInt64, range: Range<Int32>)] = []
    private var lastKeyworded = 0

    init(encoder: ResponseEncoder, keywordNames: [String]) {
        self.encoder = encoder
        self.keywordNames = keywordNames
    }

    /// Where the encoded item for these flags lies in `storage`, encoding it the first time.
    mutating func range(system: SystemFlags, keywordMask: UInt64, recent: Bool) -> Range<Int32> {
        if keywordMask == 0 {
            let slot = Int(system.rawValue & 0x1F) | (recent ? 1 << 5 : 0)
            let range = plain[slot]
            if !range.isEmpty { return range }
            let made = encode(system: system, keywordMask: 0, recent: recent)
            plain[slot] = made
            return made
        }
        if lastKeyworded < keyworded.count {
            let last = keyworded[lastKeyworded]
            if last.mask == keywordMask, last.system == system.rawValue, last.recent == recent { return last.range }
        }
        for (position, entry) in keyworded.enumerated()
        where entry.mask == keywordMask && entry.system == system.rawValue && entry.recent == recent {
            lastKeyworded = position
            return entry.range
        }
        if keyworded.count >= Self.keywordSetCapacity { startOver() }
        let made = encode(system: system, keywordMask: keywordMask, recent: recent)
        keyworded.append((system.rawValue, recent, keywordMask, made))
        lastKeyworded = keyworded.count - 1
        return made
    }

    /// Forgets every item, so `storage` stays as small as the sets in use.
    private mutating func startOver() {
        storage.removeAll(keepingCapacity: true)
        plain = [Range<Int32>](repeating: 0..<0, count: Self.plainSlots)
        keyworded.removeAll(keepingCapacity: true)
        lastKeyworded = 0
    }

    /// Calls `body` with the bytes of every item made so far, where `range` finds one.
    func withStorage<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes(body)
    }

    /// The encoded item for these flags, as an array (tests, and rare callers).
    mutating func item(system: SystemFlags, keywordMask: UInt64, recent: Bool) -> [UInt8] {
        let range = range(system: system, keywordMask: keywordMask, recent: recent)
        return Array(storage[Int(range.lowerBound)..<Int(range.upperBound)])
    }

    private mutating func encode(system: SystemFlags, keywordMask: UInt64, recent: Bool) -> Range<Int32> {
        var keywords = Set<String>()
        var remaining = keywordMask
        while remaining != 0 {
            let bit = remaining.trailingZeroBitCount
            if bit < keywordNames.count { keywords.insert(keywordNames[bit]) }
            remaining &= remaining - 1
        }
        var item = ResponseBuffer(capacity: 64)
        let wire = FlagTranslation.wireFlags(MessageFlags(system, keywords: keywords), recent: recent)
        encoder.encodeFetchItem(.flags(wire), first: true, into: &item)
        let start = Int32(storage.count)
        storage.append(contentsOf: item.bytes)
        return start..<Int32(storage.count)
    }
}
