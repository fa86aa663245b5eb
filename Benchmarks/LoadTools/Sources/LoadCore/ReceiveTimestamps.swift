import CIdleRing
#if canImport(Glibc)
import Glibc
#endif

/// When a notification reached an idler's socket, as opposed to when the client read it.
///
/// The fan-out's client shares the machine with the server it measures, so the time at
/// which it *reads* a notification includes its own queueing for a core. The kernel's
/// software receive timestamp (SO_TIMESTAMPNS) is taken when the segment enters the
/// receiving side of the stack (on loopback: as the server's send hands it over), before
/// any reader runs; it is the moment a notification is delivered to an idler on another
/// machine. The stamps are CLOCK_REALTIME, so the APPEND's send time is taken on both
/// clocks (``SendTime``).
enum ReceiveTimestamps {
    /// Asks the kernel to stamp what `descriptor` receives from now on.
    static func enable(on descriptor: Int32) throws(LoadError) {
        guard imap_load_enable_receive_timestamps(descriptor) == 0 else {
            throw LoadError("io", "SO_TIMESTAMPNS: \(String(cString: strerror(errno)))")
        }
    }

    /// Waits (at most ~2 s) until a segment sent over loopback now arrives stamped, and
    /// says whether one did. The kernel turns receive stamping on for the whole stack
    /// when the first socket asks, but from a work queue, so segments received right
    /// after ``enable(on:)`` may carry no timestamp yet; a delivery measured then would
    /// count its reads as `no arrival timestamp`. Stamping stays on while any socket
    /// wants it (the idlers), so the probe's own sockets may close afterwards.
    @discardableResult
    static func awaitKernelStamping() -> Bool {
        guard let (sender, receiver) = try? loopbackPair() else { return false }
        defer { close(sender); close(receiver) }
        guard (try? enable(on: receiver)) != nil else { return false }
        var byte: UInt8 = 0x2A
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { buffer.deallocate() }
        for _ in 0..<200 {
            guard send(sender, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return false }
            var ready = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 1000) == 1, let (count, arrival) = try? receiveAvailable(descriptor: receiver, into: buffer) else { return false }
            if count > 0, arrival != 0 { return true }
            usleep(10_000)
        }
        return false
    }

    /// Two connected TCP sockets on 127.0.0.1 (sender, receiver), for the probe.
    private static func loopbackPair() throws(LoadError) -> (Int32, Int32) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw LoadError("io", "socket: \(String(cString: strerror(errno)))") }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listening else { throw LoadError("io", "probe listen: \(String(cString: strerror(errno)))") }
        let receiver = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(receiver, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        let sender = connected ? accept(listener, nil, nil) : -1
        guard receiver >= 0, sender >= 0 else {
            if receiver >= 0 { close(receiver) }
            throw LoadError("io", "probe connect: \(String(cString: strerror(errno)))")
        }
        return (sender, receiver)
    }

    /// One non-blocking read of `descriptor` into `buffer` with its receive timestamp
    /// (CLOCK_REALTIME ns, 0 when the read carried none): the byte count, 0 when nothing
    /// is waiting; throws on EOF or error like ``ClientSocket/receiveAvailable(descriptor:into:)``.
    static func receiveAvailable(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(LoadError) -> (count: Int, arrival: UInt64) {
        var arrival: UInt64 = 0
        while true {
            let count = imap_load_receive_stamped(descriptor, buffer.baseAddress, buffer.count, &arrival)
            if count > 0 { return (count, arrival) }
            if count == 0 { throw LoadError("closed", "server closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return (0, 0) }
            throw LoadError("io", "recvmsg: \(String(cString: strerror(errno)))")
        }
    }

    /// CLOCK_REALTIME now, the clock of the kernel's receive timestamps.
    static func realtimeNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// When an APPEND was sent, on the monotonic clock (read latencies) and on the realtime
/// clock (arrival latencies against the kernel's receive timestamps). Read in that
/// order, so a time on one clock carried over to the other through them is never
/// early: the check that an arrival precedes its read can only be lenient by the
/// few tens of nanoseconds between the two reads, never falsely fail.
public struct SendTime: Sendable {
    public var monotonic: UInt64
    public var realtime: UInt64

    public init(monotonic: UInt64, realtime: UInt64) {
        self.monotonic = monotonic
        self.realtime = realtime
    }

    public static func now() -> SendTime {
        let monotonic = MonotonicClock.nanoseconds()
        return SendTime(monotonic: monotonic, realtime: ReceiveTimestamps.realtimeNanoseconds())
    }
}
