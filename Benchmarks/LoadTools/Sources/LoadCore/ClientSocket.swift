#if canImport(Glibc)
import Glibc
#endif

/// A blocking IPv4 TCP socket owned by one connection.
///
/// Invariants: `descriptor` is open from a successful `connect` until `close()`, and
/// only the thread driving the connection uses it. Reads time out after the receive
/// timeout so a silent server shows up as a `timeout` error, never a hang. After
/// ``startTLS(_:host:)`` `send` and `receive` go through the TLS session, and the
/// descriptor must not be read directly any more.
public final class ClientSocket {
    public private(set) var descriptor: Int32
    private var tls: ClientTLSStream?

    /// Whether the connection is encrypted (readiness loops that read descriptors
    /// directly cannot serve it).
    public var isTLS: Bool { tls != nil }

    /// Connects to `host:port`, optionally from `sourceAddress` (to spread many
    /// connections over 127.0.0.x when one source address runs out of ports).
    public init(host: String, port: UInt16, sourceAddress: String? = nil, receiveTimeoutSeconds: Int = 30) throws(LoadError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadError("connect", "socket: \(String(cString: strerror(errno)))") }
        descriptor = fd
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let sourceAddress {
            // The port is then chosen at connect time for the whole 4-tuple: a source
            // address serves the full ephemeral range per server, and ports still in
            // TIME_WAIT from the previous run are reused (tcp_tw_reuse covers loopback)
            // instead of failing bind with EADDRINUSE.
            setsockopt(fd, Int32(IPPROTO_IP), Self.bindAddressNoPort, &one, socklen_t(MemoryLayout<Int32>.size))
            var source = try Self.address(sourceAddress, port: 0)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let reason = String(cString: strerror(errno))
                close()  // not Glibc.close: deinit runs after a throw here and would close the number again
                throw LoadError("connect", "bind \(sourceAddress): \(reason)")
            }
        }
        var target = try Self.address(host, port: port)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close()
            throw LoadError("connect", "\(host):\(port): \(reason)")
        }
    }

    deinit { close() }

    /// IP_BIND_ADDRESS_NO_PORT (linux/in.h; not in Glibc's module).
    private static let bindAddressNoPort: Int32 = 24

    private static func address(_ text: String, port: UInt16) throws(LoadError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else { throw LoadError("connect", "not an IPv4 address: \(text)") }
        return address
    }

    /// Runs the TLS handshake on the connected socket (implicit TLS: before the
    /// greeting); `host` is the name or address the certificate must carry when the
    /// context checks it.
    public func startTLS(_ context: ClientTLSContext, host: String) throws(LoadError) {
        precondition(tls == nil, "TLS starts once")
        tls = try ClientTLSStream(descriptor: descriptor, context: context, host: host)
    }

    /// Writes all of `bytes`.
    public func send(_ bytes: ArraySlice<UInt8>) throws(LoadError) {
        if let tls {
            // withUnsafeBytes rethrows untyped errors; carry the typed one out.
            try bytes.withUnsafeBytes { raw in Result { () throws(LoadError) in try tls.write(raw) } }.get()
            return
        }
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw LoadError(errno == EAGAIN ? "timeout" : "io", "send: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// One `recv` into `buffer`; returns the byte count, throws on EOF, error or timeout.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LoadError) -> Int {
        if let tls { return try tls.read(into: buffer) }
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return count }
            if count == 0 { throw LoadError("closed", "server closed the connection") }
            if errno == EINTR { continue }
            throw LoadError(errno == EAGAIN || errno == EWOULDBLOCK ? "timeout" : "io", "recv: \(String(cString: strerror(errno)))")
        }
    }

    /// One non-blocking `recv` on `descriptor` (a connection's socket, read by a
    /// readiness loop that keeps descriptors apart from their connections): the byte
    /// count, 0 when nothing is waiting; throws on EOF or error like ``receive(into:)``.
    public static func receiveAvailable(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(LoadError) -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { return count }
            if count == 0 { throw LoadError("closed", "server closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            throw LoadError("io", "recv: \(String(cString: strerror(errno)))")
        }
    }

    public func close() {
        tls?.shutdown()
        tls = nil
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
