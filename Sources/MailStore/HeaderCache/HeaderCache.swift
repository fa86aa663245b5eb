import Synchronization

/// One mailbox's header cache: for each message, the entry the analyzer makes of
/// its header fields (`MessageAnalyzer.appendHeaderCacheEntry`), in chunks by UID.
///
/// It is keyed by UID, and a UID names one message with one body forever (within a
/// UIDVALIDITY, which is the mailbox's life), so an entry never goes stale: an
/// APPEND, COPY or MOVE into the mailbox adds UIDs the cache does not have yet,
/// which the next reader adds (`Mailbox.headerCache(for:)`); an EXPUNGE leaves
/// entries no view asks for any more, which are squeezed out once they are a
/// quarter of the cache. Nothing here is ever written to disk: the message files
/// are the only source of truth, and a cache dropped at any moment is rebuilt from
/// them on next use.
///
/// Memory is bounded by the store's `HeaderCacheBudget` (a total over all
/// mailboxes, least recently used mailbox evicted first, idle ones dropped).
final class HeaderCache: Sendable {
    struct State {
        var chunks: [HeaderCacheChunk] = []
        var generation: UInt64 = 0
        /// The budget would not let it grow: it serves what it has and adds no more
        /// until it is dropped (then a reader starts over).
        var full = false
    }

    private let state = Mutex(State())

    /// The chunks as they are now, and whether the cache may grow.
    func current() -> (snapshot: HeaderCacheSnapshot, full: Bool) {
        state.withLock { (HeaderCacheSnapshot(chunks: $0.chunks, generation: $0.generation), $0.full) }
    }

    /// Replaces the chunks of `base` (the snapshot a reader extended) with `chunks`;
    /// false when another reader installed or the budget dropped meanwhile.
    func install(_ chunks: [HeaderCacheChunk], over base: HeaderCacheSnapshot, full: Bool) -> HeaderCacheSnapshot? {
        state.withLock { state in
            guard state.generation == base.generation else { return nil }
            state.generation += 1
            state.chunks = chunks
            state.full = full
            return HeaderCacheSnapshot(chunks: chunks, generation: state.generation)
        }
    }

    /// Forgets every entry (eviction); snapshots taken before stay readable.
    func drop() {
        state.withLock { state in
            state.generation += 1
            state.chunks = []
            state.full = false
        }
    }

    /// Appends `chunk` to `chunks`, merging it with the chunks before it while they
    /// are not more than twice its size: a mailbox that grows by one message at a
    /// time then keeps O(log n) chunks, and each entry is copied O(log n) times.
    static func appending(_ chunk: HeaderCacheChunk, to chunks: [HeaderCacheChunk]) -> [HeaderCacheChunk] {
        var result = chunks
        var tail = chunk
        while let last = result.last, last.count <= 2 * tail.count {
            result.removeLast()
            tail = merged(last, tail)
        }
        result.append(tail)
        return result
    }

    static func merged(_ first: HeaderCacheChunk, _ second: HeaderCacheChunk) -> HeaderCacheChunk {
        let shift = UInt32(first.bytes.count)
        return HeaderCacheChunk(
            uids: first.uids + second.uids, ends: first.ends + second.ends.map { $0 + shift },
            bytes: first.bytes + second.bytes)
    }
}

/// Builds one chunk: entries appended in UID order.
struct HeaderCacheChunkBuilder {
    var uids: [UID] = []
    var ends: [UInt32] = []
    var bytes: [UInt8] = []

    init(capacity: Int) {
        uids.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
    }

    var isEmpty: Bool { uids.isEmpty }

    /// Adds `uid` with whatever `write` appends to `bytes` (nothing: no entry).
    mutating func add(_ uid: UID, _ write: (inout [UInt8]) -> Void) {
        precondition(uids.last.map { $0 < uid } ?? true, "header cache UIDs must ascend")
        let start = bytes.count
        write(&bytes)
        if bytes.count > Int(UInt32.max) {
            bytes.removeSubrange(start...)
        }
        uids.append(uid)
        ends.append(UInt32(bytes.count))
    }

    func chunk() -> HeaderCacheChunk { HeaderCacheChunk(uids: uids, ends: ends, bytes: bytes) }
}
