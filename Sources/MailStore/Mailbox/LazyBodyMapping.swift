import Synchronization

/// The body of a large message in a pack, mapped only when something reads its
/// bytes. A FETCH of BODY[] splices the body from the descriptor and reads only the
/// structure, so it costs no `mmap` and no `munmap` (whose TLB shootdown interrupts
/// the other shards' threads on every FETCH).
///
/// Invariants: `descriptor` is open on the pack while anything can read through this
/// object (its `MessageFile` owns this object and holds the `PackDescriptor` that
/// keeps the descriptor open, so no reader outlives it), and the pack holds
/// `length` bytes at `offset` (the structure after them was read, or the range
/// checked against the pack's length, `MessageFile(bodyOnlyIn:…)`). The bytes never
/// change (packs are immutable), so once loaded, `loaded` is never replaced and its
/// pointer stays valid until `deinit`. If the mapping fails (address space) the body
/// is read into memory instead; a body that cannot be read at all stops the process,
/// as an I/O error under an eager mapping would (SIGBUS).
final class LazyBodyMapping: Sendable {
    private let descriptor: Int32
    private let offset: Int
    private let length: Int
    private let path: String
    private let io: any FileIO
    private let loaded = Mutex<(any FileBytes)?>(nil)

    init(descriptor: Int32, offset: Int, length: Int, path: String, io: any FileIO) {
        self.descriptor = descriptor
        self.offset = offset
        self.length = length
        self.path = path
        self.io = io
    }

    /// The body, `length` bytes; valid for as long as this object lives.
    var bytes: UnsafeRawBufferPointer {
        loaded.withLock { state in
            if let state { return state.bytes }
            let mapping = load()
            state = mapping
            return mapping.bytes
        }
    }

    private func load() -> any FileBytes {
        if let mapping = try? MappedFile(fd: descriptor, offset: offset, length: length, path: path) {
            return mapping
        }
        do {
            let window = try ReadWindow(fd: descriptor, offset: offset, capacity: length, io: io)
            guard window.length == length else { throw StoreError.corrupt(path: path, reason: "body at \(offset) cut short") }
            return window
        } catch {
            preconditionFailure("cannot read the body at \(offset) of \(path): \(error)")
        }
    }
}
