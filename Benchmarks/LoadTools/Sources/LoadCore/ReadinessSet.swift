import CEpoll
#if canImport(Glibc)
import Glibc
#endif

/// The sockets one thread waits on, through epoll: descriptors are registered once,
/// and a wake-up costs the sockets that are ready, not a scan of all of them (poll(2)
/// over 10,000 idlers walked every socket on every call). Level-triggered by default;
/// edge-triggered sockets cost epoll nothing once reported, but their reader must
/// drain them without blocking (``ClientSocket/receiveAvailable(descriptor:into:)``).
///
/// Invariants: `epoll` is open from `init` until deinit; `tokens` holds `capacity`
/// slots, of which the first `count` returned by the last ``wait(milliseconds:)`` are
/// valid until the next call. One thread uses a set at a time.
public final class ReadinessSet {
    private let epoll: Int32
    private let tokens: UnsafeMutablePointer<UInt64>
    private let capacity = 1024

    public init() throws(LoadError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw LoadError("io", "epoll_create1: \(String(cString: strerror(errno)))") }
        tokens = .allocate(capacity: capacity)
    }

    deinit {
        tokens.deallocate()
        Glibc.close(epoll)
    }

    /// Reports input on `descriptor` as `token` from now on: while there is any, or with
    /// `edgeTriggered` once per arrival of new bytes.
    public func add(_ descriptor: Int32, token: Int, edgeTriggered: Bool = false) throws(LoadError) {
        guard imap_load_epoll_add(epoll, descriptor, UInt64(token), edgeTriggered ? 1 : 0) == 0 else {
            throw LoadError("io", "epoll_ctl add: \(String(cString: strerror(errno)))")
        }
    }

    /// Stops watching `descriptor` (a connection that failed: level-triggered, a
    /// closed socket would otherwise be reported ready on every wait).
    public func remove(_ descriptor: Int32) {
        _ = imap_load_epoll_remove(epoll, descriptor)
    }

    /// The tokens of sockets with input, waiting up to `milliseconds`; empty on timeout
    /// or interruption. Valid until the next call.
    public func wait(milliseconds: Int32) -> UnsafeBufferPointer<UInt64> {
        let count = imap_load_epoll_wait(epoll, tokens, Int32(capacity), milliseconds)
        return UnsafeBufferPointer(start: tokens, count: max(0, Int(count)))
    }
}
