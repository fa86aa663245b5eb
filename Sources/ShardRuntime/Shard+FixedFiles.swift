import CURing
#if canImport(Glibc)
import Glibc
#endif

// Registered files ("direct descriptors"). Each ring registers a sparse file table;
// an accepted socket is installed into it and its ordinary descriptor closed, so a
// connection holds no place in the process's descriptor table. The kernel bounds
// each table by RLIMIT_NOFILE (io_sqe_files_register: EMFILE above it) but not the
// sum over rings: with a hard limit of 20,000, six shards hold 120,000 sockets with
// a dozen ordinary descriptors open (measured; Benchmarks/results/idle-100k.md).

extension Shard {
    /// Slots in this shard's registered file table (0: its connections use ordinary
    /// descriptors). Readable from any thread once the runtime has started.
    public var fixedFileSlots: Int { publishedFixedFileCapacity.load(ordering: .acquiring) }

    /// Registers the sparse file table (shard thread, at start). A kernel that refuses
    /// it leaves the shard on ordinary descriptors, logged once.
    func registerFixedFiles() {
        guard settings.fixedFiles else { return }
        let slots = Self.fixedFileTableSize(requested: settings.fixedFileSlots, fileLimit: FileLimit.current)
        guard slots > 0 else { return }
        let result = io_uring_register_files_sparse(ring.ring, UInt32(slots))
        guard result == 0 else {
            log("shard \(index): registered files unavailable (\(SystemError("io_uring_register_files_sparse", code: -result))); using ordinary descriptors")
            return
        }
        fixedFileCapacity = slots
        publishedFixedFileCapacity.store(slots, ordering: .releasing)
    }

    /// Slots to register: what was asked for (0: the default cap), never more than the
    /// file limit, which the kernel enforces per table (EMFILE above it). The default
    /// stays at 65,536 however high the limit is: a slot costs the kernel 8 bytes
    /// whether used or not, and past a full table connections still work on ordinary
    /// descriptors, which a limit that high allows anyway.
    static func fixedFileTableSize(requested: Int, fileLimit: Int) -> Int {
        min(requested > 0 ? requested : defaultFixedFileSlots, fileLimit)
    }

    static let defaultFixedFileSlots = 65_536

    /// Takes a socket the listener accepted: with a table, its peer address is read,
    /// it is installed into a free slot and its ordinary descriptor closed; without
    /// one, or when the table is full, it stays an ordinary descriptor.
    func adoptAccepted(_ descriptor: Int32, handler: @escaping @Sendable (Connection) async -> Void) {
        guard fixedFileCapacity > 0, fixedFilesInUse < fixedFileCapacity else {
            if fixedFileCapacity > 0 { fixedFileFallbacks += 1 }
            adopt(Connection(descriptor: .ordinary(descriptor), shard: self), handler: handler)
            return
        }
        // The peer must be read now: a slot has no getpeername.
        let peer = Connection.lookUpPeer(descriptor)
        let slotBox = DescriptorBox(descriptor)
        fixedFilesInUse += 1
        runningHandlers += 1  // a shutdown waits for the install like for a handler
        submit({ sqe in mailshard_prep_install_fixed(sqe, slotBox.pointer) }) { [self] result, _ in
            runningHandlers -= 1
            let connection: Connection
            if result == 1 {
                let slot = UInt32(bitPattern: slotBox.pointer.pointee)
                close(descriptor)
                connection = Connection(descriptor: .fixed(slot: slot), shard: self, peerAddress: peer)
            } else {
                fixedFilesInUse -= 1
                fixedFileFallbacks += 1
                connection = Connection(descriptor: .ordinary(descriptor), shard: self, peerAddress: peer)
            }
            adopt(connection, handler: handler)
            return true
        }
    }

    /// Closes slot `slot` of this ring (shard thread), for a file nobody will use.
    func closeFixedSlot(_ slot: UInt32) {
        fixedFilesInUse -= 1
        submitUnobserved { sqe in io_uring_prep_close_direct(sqe, slot) }
    }
}

/// The process's file limit. The runtime raises the soft limit to the hard one at
/// start: it bounds each ring's registered file table as well as ordinary descriptors.
enum FileLimit {
    /// The soft RLIMIT_NOFILE now.
    static var current: Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(min(limit.rlim_cur, rlim_t(Int32.max)))
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit (allowed without privileges).
    static func raiseSoftToHard() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// One `int` at a stable address for a FILES_UPDATE in flight: it holds the
/// descriptor to install, and the kernel writes the allocated slot back into it.
final class DescriptorBox {
    let pointer: UnsafeMutablePointer<Int32>

    init(_ descriptor: Int32) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: descriptor)
    }

    deinit { pointer.deallocate() }
}
