/// Entries of consecutive cached messages: their UIDs, ascending, and their entries
/// (the analyzer's bytes, opaque here) one after another in one array, so a pass
/// over a mailbox reads memory in order. Immutable once made, so any number of
/// commands on any thread read it while the cache moves on to newer chunks.
final class HeaderCacheChunk: Sendable {
    let uids: [UID]
    /// Where each entry ends in `bytes`; entry `i` starts where entry `i - 1` ends.
    /// An empty entry means the message has none (it is read from its file).
    let ends: [UInt32]
    let bytes: [UInt8]

    init(uids: [UID], ends: [UInt32], bytes: [UInt8]) {
        precondition(uids.count == ends.count && (ends.last.map { Int($0) == bytes.count } ?? bytes.isEmpty))
        self.uids = uids
        self.ends = ends
        self.bytes = bytes
    }

    var count: Int { uids.count }

    /// Bytes this chunk keeps in memory, arrays included.
    var memoryFootprint: Int { bytes.count + uids.count * 4 + ends.count * 4 }

    func entryRange(at position: Int) -> Range<Int> {
        (position == 0 ? 0 : Int(ends[position - 1]))..<Int(ends[position])
    }
}

/// What a mailbox's header cache held at one moment: chunks in UID order. Holding
/// one keeps its chunks alive (and their memory counted against nothing: the cache
/// may have dropped them meanwhile), so hold it for one command only.
public struct HeaderCacheSnapshot: Sendable {
    let chunks: [HeaderCacheChunk]
    /// Changes whenever the cache installs or drops chunks.
    let generation: UInt64

    /// Messages with a place in the cache (with or without an entry).
    public var count: Int { chunks.reduce(0) { $0 + $1.count } }
    /// The highest UID in the cache, 0 when it is empty.
    public var lastUID: UID { chunks.last?.uids.last ?? 0 }
    var memoryFootprint: Int { chunks.reduce(0) { $0 + $1.memoryFootprint } }

    /// A cursor for looking entries up, fastest when UIDs are asked in ascending order.
    public func cursor() -> HeaderCacheCursor { HeaderCacheCursor(chunks: chunks) }
}

/// Finds cache entries by UID. Asked in ascending order (a FETCH or SEARCH walking
/// a mailbox) it steps forward, which costs a comparison or two per message rather
/// than a binary search; any other order still works, by binary search.
public struct HeaderCacheCursor {
    private let chunks: [HeaderCacheChunk]
    private var chunk = 0
    private var position = 0

    init(chunks: [HeaderCacheChunk]) {
        self.chunks = chunks
    }

    /// Calls `body` with the entry of `uid` and returns its result; nil when the
    /// cache has no entry for it (the caller reads the message file).
    public mutating func withEntry<R>(uid: UID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard locate(uid) else { return nil }
        let current = chunks[chunk]
        let range = current.entryRange(at: position)
        guard !range.isEmpty else { return nil }
        return try current.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Calls `body` with the entry of `uid`; false (and no call) when the cache has
    /// none. `withEntry` without a generic result, for a loop over many messages.
    public mutating func visitEntry(uid: UID, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard locate(uid) else { return false }
        let current = chunks[chunk]
        let range = current.entryRange(at: position)
        guard !range.isEmpty else { return false }
        current.bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
        return true
    }

    /// Moves to `uid`; false when the cache does not hold it.
    private mutating func locate(_ uid: UID) -> Bool {
        guard chunk < chunks.count else {
            return chunks.isEmpty ? false : relocate(uid)
        }
        let uids = chunks[chunk].uids
        if position < uids.count, uids[position] == uid { return true }
        // The next message in order: the usual case.
        if position + 1 < uids.count, uids[position + 1] == uid {
            position += 1
            return true
        }
        return relocate(uid)
    }

    private mutating func relocate(_ uid: UID) -> Bool {
        // The first chunk whose last UID is not below `uid`.
        var low = 0, high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if chunks[mid].uids.last! < uid { low = mid + 1 } else { high = mid }
        }
        guard low < chunks.count else { return false }
        let uids = chunks[low].uids
        var first = 0, last = uids.count
        while first < last {
            let mid = (first + last) / 2
            if uids[mid] < uid { first = mid + 1 } else { last = mid }
        }
        guard first < uids.count, uids[first] == uid else { return false }
        chunk = low
        position = first
        return true
    }
}
