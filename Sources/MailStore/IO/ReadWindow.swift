/// Bytes of a file held in memory for as long as their owner lives: a mapping
/// (`MappedFile`) or a copy read with `pread` (`ReadWindow`).
protocol FileBytes: AnyObject, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
}

extension MappedFile: FileBytes {}

/// A window of a file read into an allocation of its own. For a small message
/// body a `pread` costs less than a mapping: no `fstat`, no page faults, and no
/// `munmap`, whose TLB shootdown interrupts the process's other threads (the
/// other shards) on every FETCH.
///
/// Invariants: `storage` is allocated in `init` with room for the capacity asked,
/// of which the first `length` bytes were read from the file; it is never written
/// after `init` and is freed exactly once, in `deinit`. Hence `Sendable`.
final class ReadWindow: FileBytes, @unchecked Sendable {
    private let storage: UnsafeMutableRawPointer
    /// How many bytes the file had from the offset, up to the capacity asked.
    let length: Int

    /// Reads up to `capacity` bytes of the file open as `fd`, from `offset`.
    init(fd: Int32, offset: Int, capacity: Int, io: some FileIO) throws {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 16)
        var filled = 0
        do {
            while filled < capacity {
                let room = UnsafeMutableRawBufferPointer(start: storage + filled, count: capacity - filled)
                let got = try io.read(fd, into: room, at: Int64(offset + filled))
                if got == 0 { break }  // the end of the file
                filled += got
            }
        } catch {
            storage.deallocate()
            throw error
        }
        length = filled
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: length) }

    deinit {
        storage.deallocate()
    }
}
