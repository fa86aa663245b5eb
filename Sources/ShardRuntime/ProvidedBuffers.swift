import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A provided-buffer ring: receive buffers the kernel picks from when data arrives,
/// so an idle connection holds no buffer at all.
///
/// Invariants: the ring memory (page aligned, mmap'd) and the buffer memory are
/// owned here and outlive the registration; a buffer id handed out by a completion
/// is given back with `recycle` exactly once; used only on the shard thread.
final class ProvidedBuffers {
    let groupID: UInt16
    let bufferSize: Int
    let count: Int
    private let ringMemory: UnsafeMutableRawPointer
    private let ringBytes: Int
    private let bufferRing: UnsafeMutablePointer<io_uring_buf_ring>
    private let storage: UnsafeMutableRawPointer
    private let mask: Int32

    init(ring: IOUring, groupID: UInt16, bufferSize: Int, count: Int) throws {
        self.groupID = groupID
        self.bufferSize = bufferSize
        self.count = count
        ringBytes = count * MemoryLayout<io_uring_buf>.stride
        // liburing 2.3 has no io_uring_setup_buf_ring: map the ring and register it.
        let mapped = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { throw SystemError("mmap buffer ring", code: errno) }
        ringMemory = mapped
        bufferRing = mapped.bindMemory(to: io_uring_buf_ring.self, capacity: 1)
        io_uring_buf_ring_init(bufferRing)
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: mapped))
        registration.ring_entries = UInt32(count)
        registration.bgid = groupID
        let result = io_uring_register_buf_ring(ring.ring, &registration, 0)
        guard result == 0 else {
            munmap(mapped, ringBytes)
            throw SystemError("io_uring_register_buf_ring", code: -result)
        }
        let pageAligned = mmap(nil, bufferSize * count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pageAligned, pageAligned != MAP_FAILED else { throw SystemError("mmap receive buffers", code: errno) }
        storage = pageAligned
        mask = io_uring_buf_ring_mask(UInt32(count))
        for id in 0..<count {
            io_uring_buf_ring_add(bufferRing, storage + id * bufferSize, UInt32(bufferSize), UInt16(id), mask, Int32(id))
        }
        io_uring_buf_ring_advance(bufferRing, Int32(count))
    }

    func release(from ring: IOUring) {
        _ = io_uring_unregister_buf_ring(ring.ring, Int32(groupID))
        munmap(ringMemory, ringBytes)
        munmap(storage, bufferSize * count)
    }

    /// The bytes the kernel wrote into buffer `id`.
    func bytes(id: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + id * bufferSize, count: count)
    }

    /// Hands buffer `id` back to the kernel.
    func recycle(id: Int) {
        io_uring_buf_ring_add(bufferRing, storage + id * bufferSize, UInt32(bufferSize), UInt16(id), mask, 0)
        io_uring_buf_ring_advance(bufferRing, 1)
    }
}
