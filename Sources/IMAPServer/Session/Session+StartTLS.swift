import IMAPCodec
import ShardRuntime

extension Session {
    /// STARTTLS (RFC 9051 6.2.1): the tagged OK is the last plaintext byte; the
    /// handshake starts right after it, then LOGIN and AUTHENTICATE PLAIN/LOGIN
    /// are allowed from any address and the capabilities no longer list STARTTLS.
    func handleStartTLS(tag: String) async throws {
        guard !tlsActive else {
            send(.tagged(tag: tag, StatusResponse(.bad, "TLS is already active")))
            return
        }
        guard let certificate = context.certificate else {
            send(.tagged(tag: tag, StatusResponse(.bad, "STARTTLS is not offered: no certificate is configured")))
            return
        }
        let layer: TLSLayer
        do {
            layer = try TLSLayer(context: certificate.context)
        } catch {
            context.logger.error("STARTTLS from \(peer): \(error)")
            send(.tagged(tag: tag, StatusResponse(.no, code: .serverBug, "TLS could not start")))
            return
        }
        // Anything the client sent after STARTTLS and before the handshake is
        // thrown away (RFC 9051's second choice): plaintext injected there must
        // never run as if it had come through TLS.
        let discarded = framer.takeBufferedInput().count
        guard framer.bufferedByteCount == 0 else {
            // Not between commands after all: nothing can tell injected bytes from
            // the handshake's, so the connection ends.
            send(.untagged(.condition(StatusResponse(.bye, "Commands sent after STARTTLS"))))
            exit = .closed
            return
        }
        if discarded > 0 {
            context.logger.notice("STARTTLS from \(peer): \(discarded) bytes sent after the command discarded")
        }
        complete(tag, "Begin TLS negotiation now")
        try await flush()
        try await connection.pushLayer(layer)
        tlsActive = true
        plaintextAllowed = true
    }
}
