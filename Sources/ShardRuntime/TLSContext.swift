import COpenSSL

/// An OpenSSL context: the server's certificate chain and key (or, for tests and
/// tools, a client's trust anchors), loaded and checked once, shared by every
/// connection's ``TLSLayer``. TLS 1.2 is the oldest version offered.
///
/// Invariant: `context` is configured only in `init` and freed only in `deinit`
/// (which also runs when `init` throws after setting every property);
/// after `init` OpenSSL allows `SSL_new` on it from any thread, which is all a
/// layer does, so the class is `Sendable`.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let isServer: Bool
    /// The name a client puts in SNI and checks the server's certificate against.
    let serverName: String?

    /// A server context from PEM files: `certificateChain` holds the server's
    /// certificate first, then any intermediates. Throws with OpenSSL's reason
    /// when a file is unreadable or the key does not match the certificate.
    public init(certificateChain: String, privateKey: String) throws(TLSError) {
        context = try Self.makeContext(TLS_server_method())
        isServer = true
        serverName = nil
        guard SSL_CTX_use_certificate_chain_file(context, certificateChain) == 1 else {
            throw TLSError.fromQueue("cannot load the certificate chain \(certificateChain)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.fromQueue("cannot load the private key \(privateKey)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.fromQueue("the private key \(privateKey) does not match the certificate")
        }
    }

    /// A client context that trusts the certificates in `trustedCertificates`
    /// (PEM) and checks that the server's certificate names `serverName`.
    public init(clientTrusting trustedCertificates: String, serverName: String) throws(TLSError) {
        context = try Self.makeContext(TLS_client_method())
        isServer = false
        self.serverName = serverName
        guard SSL_CTX_load_verify_locations(context, trustedCertificates, nil) == 1 else {
            throw TLSError.fromQueue("cannot load trusted certificates from \(trustedCertificates)")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }

    deinit { SSL_CTX_free(context) }

    private static func makeContext(_ method: OpaquePointer?) throws(TLSError) -> OpaquePointer {
        guard let context = SSL_CTX_new(method) else { throw TLSError.fromQueue("SSL_CTX_new") }
        guard mailshard_ssl_ctx_set_min_tls12(context) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.fromQueue("cannot require TLS 1.2")
        }
        mailshard_ssl_ctx_harden(context)
        return context
    }
}

/// A TLS failure, with OpenSSL's reasons when it gave any.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    /// `what`, followed by the reasons on this thread's OpenSSL error queue
    /// (which this empties, so they don't surface in a later, unrelated call).
    static func fromQueue(_ what: String) -> TLSError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TLSError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }
}
