import IMAPCodec
import ShardRuntime

extension Session {
    /// COMPRESS DEFLATE (RFC 4978): the tagged OK is the last uncompressed byte
    /// the server sends; every byte after it, both ways, is raw DEFLATE.
    func handleCompress(tag: String, algorithm: String) async throws {
        guard algorithm.uppercased() == "DEFLATE" else {
            send(.tagged(tag: tag, StatusResponse(.bad, "Unknown compression algorithm \(algorithm); DEFLATE is offered")))
            return
        }
        if compressing {
            send(.tagged(tag: tag, StatusResponse(.no, code: .compressionActive, "DEFLATE is already active")))
            return
        }
        // The client sends nothing after COMPRESS until it has the result, so
        // bytes already here were written before it knew, uncompressed, and the
        // layer would misread them.
        guard framer.bufferedByteCount == 0 else {
            send(.tagged(tag: tag, StatusResponse(
                .bad, "Commands sent after COMPRESS before its result; compression stays off")))
            return
        }
        let layer: DeflateLayer
        do {
            layer = try DeflateLayer()
        } catch {
            context.logger.error("COMPRESS for \(machine.user ?? "-"): \(error)")
            send(.tagged(tag: tag, StatusResponse(.no, code: .serverBug, "Compression could not start")))
            return
        }
        complete(tag, "DEFLATE active")
        try await flush()
        try await connection.pushLayer(layer)
        compressing = true
    }
}
