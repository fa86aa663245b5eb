import CIdleRing
#if canImport(Glibc)
import Glibc
#endif

/// The receive side of many idle sockets through one io_uring: a multishot recvmsg per
/// socket into a shared pool of provided buffers, so bytes arriving on 10,000 idlers
/// cost no syscall and no readiness report per idler (with epoll, every arrival was an
/// `ep_send_events` entry plus a `recv`). The kernel does the reads while the thread
/// waits (deferred task work) and hands back one completion per read: the token of
/// the socket, the bytes in a buffer lent until ``recycle(_:)``, and the kernel's
/// receive timestamp of that read when the socket has them enabled
/// (``ReceiveTimestamps/enable(on:)``).
///
/// Invariants: `ring` is valid from `init` until deinit; `tokens`, `results` and
/// `flags` hold `capacity` slots, of which the first `count` of the last ``wait(milliseconds:)``
/// are valid until the next call; a buffer named by a completion stays the caller's
/// until recycled, and is recycled once; a completion's `payloadOffset + result` lies
/// inside its buffer (checked by the shim before a completion is made). One thread
/// uses a ring (SINGLE_ISSUER).
final class IdleReceiveRing {
    /// One completion: whose, what the read returned, and the buffer it filled.
    struct Completion {
        var token: UInt64
        /// Bytes read (> 0), 0 when the peer closed, or a negative errno.
        var result: Int32
        var flags: UInt32
        /// Where the bytes read start in the buffer (after the recvmsg header).
        var payloadOffset: UInt32 = 0
        /// The kernel's receive timestamp of the read (CLOCK_REALTIME ns), 0 when it carried none.
        var arrival: UInt64 = 0
        /// The request goes on (a multishot recv still armed).
        var continues: Bool { imap_load_ring_has_more(flags) != 0 }
        var bufferID: UInt32? { imap_load_ring_has_buffer(flags) != 0 ? imap_load_ring_buffer_id(flags) : nil }
    }

    private let ring: UnsafeMutablePointer<imap_load_ring>
    private let capacity = 4096
    private let tokens: UnsafeMutablePointer<UInt64>
    private let results: UnsafeMutablePointer<Int32>
    private let flags: UnsafeMutablePointer<UInt32>
    let bufferSize: Int

    /// `sockets`: how many multishot receives will be armed at once (sizes the
    /// completion queue and the buffer pool so one delivery to each fits without
    /// the kernel running out of buffers). `bufferSize` includes each read's recvmsg
    /// header and room for its timestamp (48 bytes); the rest holds bytes read.
    init(sockets: Int, bufferSize: Int = 512) throws(LoadError) {
        var buffers = 1024
        while buffers < 2 * sockets && buffers < 32768 { buffers *= 2 }
        var error: Int32 = 0
        guard let ring = imap_load_ring_create(1024, UInt32(2 * buffers), UInt32(buffers), UInt32(bufferSize), &error) else {
            throw LoadError("io", "io_uring setup: \(String(cString: strerror(error)))")
        }
        self.ring = ring
        self.bufferSize = bufferSize
        tokens = .allocate(capacity: capacity)
        results = .allocate(capacity: capacity)
        flags = .allocate(capacity: capacity)
    }

    deinit {
        imap_load_ring_destroy(ring)
        tokens.deallocate()
        results.deallocate()
        flags.deallocate()
    }

    /// Arms a multishot recvmsg of `descriptor`, reported as `token`.
    func receive(_ descriptor: Int32, token: UInt64) throws(LoadError) {
        try check(imap_load_ring_receive(ring, descriptor, token), "recv")
    }

    /// Arms a one-shot poll for input on `descriptor`, reported as `token` (result:
    /// the poll mask). Level-triggered: it completes at once if input is waiting.
    func pollInput(_ descriptor: Int32, token: UInt64) throws(LoadError) {
        try check(imap_load_ring_poll(ring, descriptor, token), "poll")
    }

    /// Asks the kernel to cancel every request in flight; each ends with a
    /// completion without ``Completion/continues`` (reads that finished first
    /// still report their bytes), and the cancel itself completes as `token`.
    func cancelAll(token: UInt64) throws(LoadError) {
        try check(imap_load_ring_cancel_all(ring, token), "cancel")
    }

    /// Submits what was armed, waits up to `milliseconds` for completions and returns
    /// them (empty on timeout), valid until the next call.
    func wait(milliseconds: Int32) throws(LoadError) -> [Completion] {
        let count = imap_load_ring_wait(ring, milliseconds, tokens, results, flags, Int32(capacity))
        guard count >= 0 else { throw LoadError("io", "io_uring wait: \(String(cString: strerror(-count)))") }
        var completions: [Completion] = []
        completions.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            var completion = Completion(token: tokens[index], result: results[index], flags: flags[index])
            if let id = completion.bufferID, completion.result >= 0 {
                // What the read wrote is a recvmsg header, control and bytes: the result becomes the bytes' count.
                var offset: UInt32 = 0
                var length: UInt32 = 0
                if imap_load_ring_message(ring, id, completion.result, &offset, &length, &completion.arrival) == 0 {
                    completion.payloadOffset = offset
                    completion.result = Int32(length)
                } else {
                    completion.result = -EMSGSIZE
                }
            }
            completions.append(completion)
        }
        return completions
    }

    /// The bytes `completion` (a read with ``Completion/result`` ≥ 0) left in its buffer;
    /// valid until that buffer is recycled.
    func bytes(of completion: Completion) -> UnsafeRawBufferPointer {
        guard let id = completion.bufferID, completion.result >= 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        precondition(Int(completion.payloadOffset) + Int(completion.result) <= bufferSize)
        return UnsafeRawBufferPointer(start: imap_load_ring_buffer(ring, id) + Int(completion.payloadOffset), count: Int(completion.result))
    }

    /// Gives buffer `id` back to the kernel for later reads.
    func recycle(_ id: UInt32) {
        imap_load_ring_recycle(ring, id)
    }

    private func check(_ result: Int32, _ what: String) throws(LoadError) {
        guard result == 0 else { throw LoadError("io", "io_uring \(what): \(String(cString: strerror(-result)))") }
    }
}
