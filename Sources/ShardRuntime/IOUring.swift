import CURing
#if canImport(Glibc)
import Glibc
#endif

/// One io_uring instance.
///
/// Invariants: created, used and destroyed on one thread (its shard's), which is what
/// SINGLE_ISSUER promises the kernel; the `io_uring` struct lives at a fixed heap
/// address for the ring's whole life (liburing keeps pointers into it).
final class IOUring {
    /// One completion, copied out of the completion queue before it is dispatched.
    struct Completion {
        var userData: UInt64
        var result: Int32
        var flags: UInt32
    }

    let ring: UnsafeMutablePointer<io_uring>
    /// The setup flags the kernel accepted (for logs and tests).
    let setupFlags: UInt32
    private let batch: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    private let batchCapacity = 256

    init(entries: Int) throws {
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        batch = .allocate(capacity: batchCapacity)
        // Newest first; each fallback drops what an older kernel rejects with EINVAL.
        let candidates: [UInt32] = [
            IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL,
            IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL,
            0,
        ]
        var accepted: UInt32? = nil
        var lastError: Int32 = 0
        for flags in candidates {
            var params = io_uring_params()
            params.flags = flags | IORING_SETUP_CQSIZE
            params.cq_entries = UInt32(entries * 4)
            let result = io_uring_queue_init_params(UInt32(entries), ring, &params)
            if result == 0 {
                accepted = flags
                break
            }
            lastError = -result
            if result != -EINVAL { break }
        }
        guard let flags = accepted else {
            ring.deallocate()
            batch.deallocate()
            throw SystemError("io_uring_queue_init_params", code: lastError)
        }
        setupFlags = flags
    }

    deinit {
        io_uring_queue_exit(ring)
        ring.deallocate()
        batch.deallocate()
    }

    /// Makes sure `count` consecutive submission entries are free (linked pairs need it).
    func reserve(_ count: Int) {
        if io_uring_sq_space_left(ring) < UInt32(count) { _ = io_uring_submit(ring) }
    }

    /// A fresh submission entry; submits what is queued when the queue is full.
    func nextEntry() -> UnsafeMutablePointer<io_uring_sqe> {
        if let sqe = io_uring_get_sqe(ring) { return sqe }
        _ = io_uring_submit(ring)
        guard let sqe = io_uring_get_sqe(ring) else {
            preconditionFailure("io_uring submission queue still full after submit")
        }
        return sqe
    }

    /// One `io_uring_enter`: submits everything queued and, when `wait` is set, sleeps
    /// until at least one completion arrives.
    func enter(wait: Bool) {
        let result = wait ? io_uring_submit_and_wait(ring, 1) : io_uring_submit_and_get_events(ring)
        if result < 0 && result != -EINTR && result != -EAGAIN && result != -EBUSY && result != -ETIME {
            preconditionFailure("io_uring_enter failed: errno \(-result)")
        }
    }

    /// Copies up to `batchCapacity` completions into `into`, marks them seen.
    func reap(into completions: inout [Completion]) {
        let count = Int(io_uring_peek_batch_cqe(ring, batch, UInt32(batchCapacity)))
        guard count > 0 else { return }
        for index in 0..<count {
            let cqe = batch[index]!.pointee
            completions.append(Completion(userData: cqe.user_data, result: cqe.res, flags: cqe.flags))
        }
        io_uring_cq_advance(ring, UInt32(count))
    }
}
