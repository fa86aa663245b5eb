import CURing
#if canImport(Glibc)
import Glibc
#endif

/// How a connection's socket is named to its ring: an ordinary process descriptor,
/// or a slot in the ring's registered file table (a "direct descriptor").
///
/// A direct descriptor lives only in that one ring's table: it takes no place in the
/// process's descriptor table (so RLIMIT_NOFILE bounds each ring's table, not the
/// process's sockets), the kernel skips the fget/fput of a descriptor lookup on every
/// operation, and only that ring can use it: a move to another shard must send the
/// file to the other ring (`IORING_OP_MSG_RING`, see `Connection.move(to:)`).
enum SocketDescriptor: Equatable, CustomStringConvertible {
    case ordinary(Int32)
    case fixed(slot: UInt32)

    /// Points `sqe` at this socket: sets its fd field and, for a slot, IOSQE_FIXED_FILE.
    /// Call it after the `io_uring_prep_*` helper (which writes the fd field).
    func target(_ sqe: UnsafeMutablePointer<io_uring_sqe>) {
        switch self {
        case .ordinary(let descriptor):
            sqe.pointee.fd = descriptor
        case .fixed(let slot):
            sqe.pointee.fd = Int32(bitPattern: slot)
            sqe.pointee.flags |= mailshard_iosqe_fixed_file()
        }
    }

    /// The value for an `io_uring_prep_*` helper's fd argument (`target` then sets the flag).
    var rawValue: Int32 {
        switch self {
        case .ordinary(let descriptor): return descriptor
        case .fixed(let slot): return Int32(bitPattern: slot)
        }
    }

    var isFixed: Bool {
        if case .fixed = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .ordinary(let descriptor): return "fd \(descriptor)"
        case .fixed(let slot): return "direct slot \(slot)"
        }
    }

    /// Queues the end of the socket: shutdown (which completes a receive or send in
    /// flight) hard-linked to the close, so the close runs even when the shutdown
    /// fails (ENOTCONN after a reset). A slot is closed with close_direct.
    func submitShutdownAndClose(on shard: Shard) {
        shard.ring.reserve(2)
        shard.submitUnobserved { sqe in
            io_uring_prep_shutdown(sqe, rawValue, Int32(SHUT_RDWR))
            target(sqe)
            sqe.pointee.flags |= mailshard_iosqe_io_hardlink()
        }
        shard.submitUnobserved { sqe in
            switch self {
            case .ordinary(let descriptor): io_uring_prep_close(sqe, descriptor)
            case .fixed(let slot): io_uring_prep_close_direct(sqe, slot)
            }
        }
    }
}
