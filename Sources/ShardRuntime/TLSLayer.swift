import COpenSSL

/// TLS on a connection (implicit TLS from the first byte, or after STARTTLS):
/// OpenSSL runs on two memory BIOs, so the ring keeps doing all socket I/O and
/// the layer only turns bytes into bytes on the shard thread.
///
/// Inbound records decode to plaintext; handshake messages, session tickets and
/// alerts OpenSSL must answer go back as `reply`. Outbound plaintext written
/// before the handshake has finished (the greeting on an implicit TLS port) is
/// kept and sent as soon as it has. Bodies through TLS are read and encrypted,
/// not spliced (the runtime copies for every layer).
///
/// Invariant: `ssl` owns both BIOs (`SSL_set_bio`); all three live until
/// `deinit`, and only the connection's shard thread calls the layer.
public final class TLSLayer: StreamLayer {
    private let ssl: OpaquePointer
    private let incoming: OpaquePointer
    private let outgoing: OpaquePointer
    private var handshakeDone = false
    /// Plaintext written before the handshake finished.
    private var waitingPlaintext: [UInt8] = []
    /// The peer sent close_notify: nothing more comes from it.
    public private(set) var peerClosed = false

    /// A layer for one connection; a client layer starts its handshake at once
    /// (send ``start()``'s bytes first).
    public init(context: TLSContext) throws(TLSError) {
        guard let ssl = SSL_new(context.context) else { throw TLSError.fromQueue("SSL_new") }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.fromQueue("BIO_new")
        }
        SSL_set_bio(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let name = context.serverName {
                guard mailshard_ssl_set_host_name(ssl, name) == 1, SSL_set1_host(ssl, name) == 1 else {
                    throw TLSError.fromQueue("cannot set the server name \(name)")
                }
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// A client's first flight (ClientHello); empty for a server, which speaks
    /// only once the client has.
    public func start() throws -> [UInt8] {
        ERR_clear_error()
        try advanceHandshake()
        return drainOutgoing()
    }

    /// Whether the handshake has finished (a client knows when it may write).
    public var isHandshakeComplete: Bool { handshakeDone }

    /// The negotiated protocol, e.g. "TLSv1.3" (logs, tests).
    public var protocolVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    public func decode(_ input: [UInt8], reply: inout [UInt8]) throws -> [UInt8] {
        // SSL_get_error reads this thread's error queue: another connection's
        // leftovers would be taken for this one's.
        ERR_clear_error()
        var written = 0
        while written < input.count {
            let count = input[written...].withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { throw TLSError.fromQueue("BIO_write") }
            written += Int(count)
        }
        if !handshakeDone {
            try advanceHandshake()
        }
        var plaintext: [UInt8] = []
        if handshakeDone {
            plaintext = try readPlaintext()
        }
        reply += drainOutgoing()
        return plaintext
    }

    public func encode(_ output: [UInt8]) throws -> [UInt8] {
        ERR_clear_error()
        guard handshakeDone else {
            waitingPlaintext += output
            return drainOutgoing()
        }
        try write(output)
        return drainOutgoing()
    }

    /// close_notify, so the client can tell the end from a cut.
    public func finish() throws -> [UInt8] {
        ERR_clear_error()
        if handshakeDone { SSL_shutdown(ssl) }
        return drainOutgoing()
    }

    private func advanceHandshake() throws {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            handshakeDone = true
            if !waitingPlaintext.isEmpty {
                let waiting = waitingPlaintext
                waitingPlaintext = []
                try write(waiting)
            }
            return
        }
        let error = SSL_get_error(ssl, result)
        guard error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE else {
            throw TLSError.fromQueue("TLS handshake failed")
        }
    }

    private func readPlaintext() throws -> [UInt8] {
        var plaintext: [UInt8] = []
        while true {
            // Room for everything OpenSSL holds (a record decrypts to at most its own
            // length), read into uninitialized storage: no zeroed chunk per read, and
            // the usual single read is returned as it is, without a second copy.
            let room = max(Int(SSL_pending(ssl)) + Int(BIO_ctrl_pending(incoming)), 1)
            var count: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
                count = SSL_read(ssl, buffer.baseAddress, Int32(room))
                initialized = max(0, Int(count))
            }
            if count > 0 {
                if plaintext.isEmpty { plaintext = chunk } else { plaintext += chunk }
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return plaintext
            case SSL_ERROR_ZERO_RETURN:
                peerClosed = true
                return plaintext
            default:
                throw TLSError.fromQueue("TLS read failed")
            }
        }
    }

    private func write(_ plaintext: [UInt8]) throws {
        var written = 0
        while written < plaintext.count {
            let count = plaintext[written...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { throw TLSError.fromQueue("TLS write failed") }
            written += Int(count)
        }
    }

    /// Everything OpenSSL has written for the peer so far.
    private func drainOutgoing() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, initialized in
            initialized = max(0, Int(BIO_read(outgoing, buffer.baseAddress, Int32(pending))))
        }
    }
}
