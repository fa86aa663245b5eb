#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A read-only memory mapping of a whole file.
///
/// Invariants: `base` points at `length` readable bytes from `mmap(PROT_READ,
/// MAP_SHARED)` for the object's whole lifetime and is unmapped exactly once, in
/// `deinit`. The files mapped are immutable (message files are never written after
/// their rename), so the bytes never change under a reader; unlinking the file
/// (expunge) leaves an existing mapping valid. Hence `Sendable`.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let length: Int

    init(path: String, io: some FileIO) throws {
        let fd = try io.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        defer { io.close(fd) }
        length = Int(try io.size(fd))
        if length == 0 {
            base = nil
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw StoreError.io(operation: "mmap", path: path, errno: errno)
        }
        base = UnsafeRawPointer(address)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}
