import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pack open for reading, shared by the message files that read from it (and by
/// the FETCH output that sends a body from it); closed when the last one lets go.
/// A pack's bytes never change once written (the current journal only grows), so
/// one descriptor serves every reader, and one opened before the pack was unlinked
/// still reads it.
final class PackDescriptor: Sendable {
    let descriptor: Int32
    /// Where it was opened (kept so a reader need not format it per message).
    let path: String
    private let io: any FileIO
    /// A length the pack was seen to have: a lower bound of its length now, since a
    /// pack only grows. Lets a whole-body FETCH check its range without a syscall.
    private let knownLength = Atomic<Int>(0)

    /// Opens `path` read-only; throws the store's error (ENOENT: the pack is gone).
    init(path: String, io: any FileIO) throws {
        descriptor = try io.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        self.path = path
        self.io = io
    }

    deinit { io.close(descriptor) }

    /// Whether `length` bytes at `offset` lie inside the pack: from the length seen
    /// before when that is enough, else from `fstat` (remembered for the next one).
    func holds(offset: Int, length: Int) throws -> Bool {
        guard offset >= 0, length >= 0 else { return false }
        let end = offset + length
        if end <= knownLength.load(ordering: .relaxed) { return true }
        guard let size = Int(exactly: try io.size(descriptor)) else { return false }
        _ = knownLength.max(size, ordering: .relaxed)
        return end <= size
    }
}

/// The packs a mailbox read last, kept open between commands: a FETCH of one body
/// from a pack otherwise opened and closed the pack (a path lookup, ~5% of the
/// server's CPU per 100 KiB body FETCH). Bounded to `capacity` packs, the most
/// recently used (reads cluster in the current journal's pack), so an idle mailbox
/// holds at most that many descriptors; packs the sweep unlinks are forgotten, so
/// their space is freed once their last reader is done.
final class OpenPacks: Sendable {
    static let capacity = 2

    /// Most recently used last.
    private let entries = Mutex<[(key: UInt64, pack: PackDescriptor)]>([])

    /// The open pack `key` (opened from `path()` when not kept).
    func pack(_ key: UInt64, path: () -> String, io: any FileIO) throws -> PackDescriptor {
        let kept = entries.withLock { entries -> PackDescriptor? in
            guard let position = entries.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = entries.remove(at: position)
            entries.append(entry)
            return entry.pack
        }
        if let kept { return kept }
        // Opened outside the lock; a reader on another thread that opened it too
        // meanwhile keeps its own, and the later one is kept.
        let opened = try PackDescriptor(path: path(), io: io)
        let evicted = entries.withLock { entries -> [PackDescriptor] in
            entries.removeAll { $0.key == key }
            entries.append((key, opened))
            let excess = max(0, entries.count - Self.capacity)
            let evicted = entries.prefix(excess).map(\.pack)
            entries.removeFirst(excess)
            return evicted
        }
        _ = evicted  // closed here, after the lock, unless a reader still holds one
        return opened
    }

    /// The packs kept open, least recently used first (tests and statistics).
    var keptKeys: [UInt64] { entries.withLock { $0.map(\.key) } }

    /// Forgets every kept pack (the sweep unlinked some); readers keep theirs.
    func forgetAll() {
        let forgotten = entries.withLock { entries in
            defer { entries.removeAll() }
            return entries.map(\.pack)
        }
        _ = forgotten
    }
}
