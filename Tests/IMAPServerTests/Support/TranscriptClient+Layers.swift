import Foundation
import ShardRuntime

/// The test-only certificate in Tests/TLSFixtures.
enum TLSFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("TLSFixtures").path
    static let certificate = directory + "/localhost-cert.pem"
    static let key = directory + "/localhost-key.pem"
}

extension TranscriptClient {
    /// Compresses what the client sends and decompresses what it receives from
    /// now on (call it after reading COMPRESS's OK).
    func compress() throws {
        let layer = try DeflateLayer()
        let (outbound, inbound) = (outboundFilter, inboundFilter)
        outboundFilter = { bytes in
            let compressed = try layer.encode(bytes)
            return try outbound?(compressed) ?? compressed
        }
        inboundFilter = { received in
            let below = try inbound?(received) ?? received
            var reply: [UInt8] = []
            var decoded = try layer.decode(below, reply: &reply)
            while layer.holdsDecodedInput { decoded += try layer.decode([], reply: &reply) }
            return decoded
        }
    }

    /// Runs a TLS handshake as the client (trusting `trustedCertificates`, the
    /// test certificate unless told otherwise) and encrypts and decrypts
    /// everything after it. Call it at the start of an implicit TLS connection or
    /// after reading STARTTLS's OK.
    func startTLS(serverName: String = "localhost", trusting trustedCertificates: String = TLSFixture.certificate) throws {
        let layer = try TLSLayer(context: TLSContext(clientTrusting: trustedCertificates, serverName: serverName))
        var plaintext: [UInt8] = []
        try sendUnfiltered(layer.start())
        var rounds = 0
        while !layer.isHandshakeComplete {
            rounds += 1
            let bytes = receiveUnfiltered()
            guard !bytes.isEmpty, rounds < 50 else { throw Failure(description: "TLS handshake did not finish") }
            var reply: [UInt8] = []
            plaintext += try layer.decode(bytes, reply: &reply)
            if !reply.isEmpty { try sendUnfiltered(reply) }
        }
        outboundFilter = { try layer.encode($0) }
        inboundFilter = { [unowned self] received in
            var reply: [UInt8] = []
            let decoded = try layer.decode(received, reply: &reply)
            if !reply.isEmpty { try self.sendUnfiltered(reply) }
            return decoded
        }
        if !plaintext.isEmpty { prepend(plaintext) }
    }
}
