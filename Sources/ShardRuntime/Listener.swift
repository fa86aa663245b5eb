import CURing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One shard's listening socket (SO_REUSEPORT, so every shard has its own and the
/// kernel spreads connections) and the multishot accept armed on it.
final class Listener {
    let descriptor: Int32
    let handler: @Sendable (Connection) async -> Void
    var acceptOperation: UInt64?
    var closed = false

    init(descriptor: Int32, handler: @escaping @Sendable (Connection) async -> Void) {
        self.descriptor = descriptor
        self.handler = handler
    }

    /// Binds a listening TCP socket to `host:port` (IPv4 or IPv6 literal; port 0 picks
    /// one) with SO_REUSEADDR, SO_REUSEPORT and TCP_NODELAY (inherited by accepted
    /// sockets), and TCP_CONGESTION when `congestionControl` names an algorithm (also
    /// inherited; nil keeps the system's default). Returns the descriptor and the bound
    /// port. Fails when the algorithm is unknown or not allowed to this process.
    /// Fails with EADDRINUSE when anything already listens on `host:port`.
    /// SO_REUSEPORT lets a second process of the same user bind a port that is in
    /// use and silently take half its connections; a plain bind first (closed at
    /// once) turns that mistake into a clear "address in use".
    static func ensurePortIsFree(host: String, port: UInt16) throws {
        let (probe, _) = try bindSocket(host: host, port: port, backlog: 0, shareable: false)
        close(probe)
    }

    static func bindSocket(
        host: String, port: UInt16, backlog: Int, shareable: Bool = true, congestionControl: String? = nil
    ) throws -> (Int32, UInt16) {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if host.contains(":") {
            family = AF_INET6
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw SystemError("inet_pton \(host)", code: EINVAL) }
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            family = AF_INET
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SystemError("inet_pton \(host)", code: EINVAL) }
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError("socket", code: errno) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if shareable {
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if let congestionControl {
            let applied = congestionControl.withCString {
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_CONGESTION, $0, socklen_t(strlen($0)))
            }
            guard applied == 0 else {
                let code = errno
                close(descriptor)
                throw SystemError("TCP_CONGESTION \(congestionControl)", code: code)
            }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw SystemError("bind \(host):\(port)", code: code)
        }
        guard shareable else { return (descriptor, port) }
        guard Glibc.listen(descriptor, Int32(backlog)) == 0 else {
            let code = errno
            close(descriptor)
            throw SystemError("listen", code: code)
        }
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let boundPort: UInt16 = withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
        }
        return (descriptor, boundPort)
    }
}

extension Shard {
    /// Starts accepting on `listener` (shard thread): each connection gets a task whose
    /// executor preference is this shard, running the listener's handler and then
    /// closing the connection.
    func startAccepting(_ listener: Listener) {
        guard !stopping, !listener.closed else { return }
        listener.acceptOperation = submit({ sqe in
            io_uring_prep_multishot_accept(sqe, listener.descriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        }) { [self] result, flags in
            if result >= 0 {
                adoptAccepted(result, handler: listener.handler)
            } else if result != -ECANCELED && !stopping {
                log("shard \(index): accept failed: \(SystemError("accept", code: -result))")
            }
            let finished = flags & IORING_CQE_F_MORE == 0
            if finished {
                listener.acceptOperation = nil
                if !stopping && !listener.closed {
                    if result < 0 && result != -ECANCELED {
                        // Out of descriptors or memory: back off briefly, then accept again.
                        after(.milliseconds(50)) { self.startAccepting(listener) }
                    } else {
                        startAccepting(listener)
                    }
                }
            }
            return finished
        }
    }

    func adopt(_ connection: Connection, handler: @escaping @Sendable (Connection) async -> Void) {
        connections[connection.key] = connection
        acceptedCount += 1
        // Accepted while the listener was being cancelled: the handler still runs (it
        // can say goodbye) but its reads end at once.
        if stopping { connection.requestShutdown() }
        runningHandlers += 1
        Task(executorPreference: self) {
            await handler(connection)
            // A connection handed over (Connection+HandOver) is closed by its new task.
            if !connection.handedOver.load(ordering: .acquiring) { await connection.close() }
            self.execute { self.runningHandlers -= 1 }
        }
    }

    /// Stops accepting: cancels the multishot accepts and closes the listening sockets.
    func stopAccepting() {
        for listener in listeners {
            listener.closed = true
            if let id = listener.acceptOperation { cancelOperation(id) }
            let descriptor = listener.descriptor
            submitUnobserved { sqe in io_uring_prep_close(sqe, descriptor) }
        }
        listeners.removeAll()
    }
}
