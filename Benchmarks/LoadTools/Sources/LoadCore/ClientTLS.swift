#if canImport(Glibc)
import Glibc
#endif
import CLoadTLS

/// The OpenSSL client context every connection of a `--tls` run shares: TLS 1.2 or
/// newer, and with a CA file the server's certificate checked against it and the
/// host name (or IP address) the client connects to. Without one nothing is
/// checked, as a load run against a server with a self-made certificate needs.
///
/// It is not ShardRuntime's `TLSContext`/`TLSLayer`: those turn bytes into bytes
/// through memory BIOs for the server's ring, with an array per record; this client
/// reads and writes its blocking socket through OpenSSL directly, so decrypting a
/// body costs the client no copy beyond OpenSSL's own (the client shares the cores
/// with the server it measures).
///
/// Invariant: `context` is configured only in `init` and freed only in `deinit`;
/// OpenSSL allows `SSL_new` on it from any thread, which is all connections do.
public final class ClientTLSContext: @unchecked Sendable {
    let context: OpaquePointer
    public let verifiesPeer: Bool

    public init(trustedCertificates: String?) throws(LoadError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Self.failure("SSL_CTX_new") }
        self.context = context
        verifiesPeer = trustedCertificates != nil
        guard imap_load_ssl_ctx_set_min_tls12(context) == 1 else { throw Self.failure("cannot require TLS 1.2") }
        if let trustedCertificates {
            guard SSL_CTX_load_verify_locations(context, trustedCertificates, nil) == 1 else {
                throw Self.failure("cannot load trusted certificates from \(trustedCertificates)")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
    }

    deinit { SSL_CTX_free(context) }

    /// A `tls` error: `what`, then the reasons on this thread's OpenSSL error queue
    /// (emptied, so they don't surface in a later, unrelated call).
    static func failure(_ what: String) -> LoadError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return LoadError("tls", reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }
}

/// One TLS session over a connected blocking socket (implicit TLS, RFC 8314): the
/// handshake runs in `init`; reads and writes then go through OpenSSL on the same
/// descriptor, with the socket's timeouts.
///
/// Invariant: `ssl` lives from `init` to `deinit` and is used by the one thread
/// that drives its connection; the descriptor belongs to the ``ClientSocket``.
final class ClientTLSStream {
    private let ssl: OpaquePointer

    init(descriptor: Int32, context: ClientTLSContext, host: String) throws(LoadError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw ClientTLSContext.failure("SSL_new") }
        self.ssl = ssl
        guard SSL_set_fd(ssl, descriptor) == 1 else { throw ClientTLSContext.failure("SSL_set_fd") }
        var address = in_addr()
        let isAddress = inet_pton(AF_INET, host, &address) == 1
        if !isAddress { _ = imap_load_ssl_set_host_name(ssl, host) }
        if context.verifiesPeer {
            let named = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard named == 1 else { throw ClientTLSContext.failure("cannot check the server's name \(host)") }
        }
        let connected = SSL_connect(ssl)
        guard connected == 1 else { throw failure(connected, "handshake") }
    }

    deinit { SSL_free(ssl) }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(LoadError) {
        var offset = 0
        while offset < bytes.count {
            let written = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, Int(Int32.max))))
            guard written > 0 else { throw failure(written, "send") }
            offset += Int(written)
        }
    }

    /// One read of decrypted bytes into `buffer`; throws on close, error or timeout.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LoadError) -> Int {
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        guard count > 0 else { throw failure(count, "recv") }
        return Int(count)
    }

    /// Sends close_notify without waiting for the server's (the socket closes next).
    func shutdown() {
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The error a failed call with result `result` stands for, of the kinds
    /// ``ClientSocket`` uses: `closed`, `timeout`, `io` or `tls`.
    private func failure(_ result: Int32, _ what: String) -> LoadError {
        let code = SSL_get_error(ssl, result)
        let systemError = errno
        switch code {
        case SSL_ERROR_ZERO_RETURN:
            return LoadError("closed", "server closed the TLS session")
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            // A blocking socket only wants more when its timeout expired.
            ERR_clear_error()
            return LoadError("timeout", "\(what): no data within the socket timeout")
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0:
            if systemError == 0 { return LoadError("closed", "server closed the connection") }
            if systemError == EAGAIN || systemError == EWOULDBLOCK { return LoadError("timeout", "\(what): \(String(cString: strerror(systemError)))") }
            return LoadError("io", "\(what): \(String(cString: strerror(systemError)))")
        default:
            return ClientTLSContext.failure("TLS \(what) failed")
        }
    }
}
