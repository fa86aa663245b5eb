#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A read-only memory mapping of a whole file, or of a window of one.
///
/// Invariants: `base` points at `length` readable bytes from `mmap(PROT_READ,
/// MAP_SHARED)` for the object's whole lifetime and is unmapped exactly once, in
/// `deinit` (`mapped` is the page-aligned region actually mapped, `base` lies in
/// it). The bytes mapped are immutable (message files are never written after
/// their rename; a pack or journal is only appended to, never rewritten below
/// its synced end), so they never change under a reader; unlinking the file
/// (expunge, pack removal) leaves an existing mapping valid. Hence `Sendable`.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let length: Int
    private let mapped: UnsafeMutableRawPointer?
    private let mappedLength: Int

    /// Maps bytes `offset ..< offset + length` of the file open as `fd`, which
    /// must be that long.
    init(fd: Int32, offset: Int, length: Int, path: String) throws {
        self.length = length
        guard length > 0 else {
            base = nil; mapped = nil; mappedLength = 0
            return
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        mappedLength = offset - start + length
        let address = mmap(nil, mappedLength, PROT_READ, MAP_SHARED, fd, off_t(start))
        guard let address, address != MAP_FAILED else {
            throw StoreError.io(operation: "mmap", path: path, errno: errno)
        }
        mapped = address
        base = UnsafeRawPointer(address + (offset - start))
    }

    init(path: String, io: some FileIO) throws {
        let fd = try io.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        defer { io.close(fd) }
        length = Int(try io.size(fd))
        mappedLength = length
        if length == 0 {
            base = nil
            mapped = nil
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw StoreError.io(operation: "mmap", path: path, errno: errno)
        }
        mapped = address
        base = UnsafeRawPointer(address)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    deinit {
        if let mapped { munmap(mapped, mappedLength) }
    }
}
