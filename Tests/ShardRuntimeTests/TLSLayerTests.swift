import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// The test-only certificate in Tests/TLSFixtures.
enum TLSFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TLSFixtures").path
    static let certificate = directory + "/localhost-cert.pem"
    static let key = directory + "/localhost-key.pem"

    static func server() throws -> TLSContext {
        try TLSContext(certificateChain: certificate, privateKey: key)
    }

    static func client(serverName: String = "localhost") throws -> TLSContext {
        try TLSContext(clientTrusting: certificate, serverName: serverName)
    }
}

@Suite struct TLSLayerTests {
    /// Runs the handshake between two layers in memory, each side's output fed
    /// to the other, until neither has anything to say.
    private func shake(_ client: TLSLayer, _ server: TLSLayer, first: [UInt8]) throws -> (toClient: [UInt8], toServer: [UInt8]) {
        var toServer = first
        var toClient: [UInt8] = []
        var plainAtClient: [UInt8] = []
        var plainAtServer: [UInt8] = []
        for _ in 0..<10 where !toServer.isEmpty || !toClient.isEmpty {
            var reply: [UInt8] = []
            plainAtServer += try server.decode(toServer, reply: &reply)
            toServer = []
            toClient += reply
            reply = []
            plainAtClient += try client.decode(toClient, reply: &reply)
            toClient = []
            toServer += reply
        }
        return (plainAtClient, plainAtServer)
    }

    @Test func plaintextWrittenBeforeTheHandshakeArrivesAfterIt() throws {
        let server = try TLSLayer(context: TLSFixture.server())
        let client = try TLSLayer(context: TLSFixture.client())
        // The greeting of an implicit TLS port: queued before the client spoke.
        #expect(try server.encode(Array("* OK ready\r\n".utf8)) == [])
        let (atClient, atServer) = try shake(client, server, first: client.start())
        #expect(String(decoding: atClient, as: UTF8.self) == "* OK ready\r\n")
        #expect(atServer.isEmpty)
        #expect(["TLSv1.3", "TLSv1.2"].contains(server.protocolVersion))

        // Both ways after the handshake, records cut anywhere.
        let command = Array("a LOGIN alice secret\r\n".utf8)
        let record = try client.encode(command)
        #expect(!record.isEmpty && record != command)
        var reply: [UInt8] = []
        var received: [UInt8] = []
        for byte in record { received += try server.decode([byte], reply: &reply) }
        #expect(received == command)
        let large = pattern(9, count: 100_000)
        #expect(try client.decode(server.encode(large), reply: &reply) == large)

        // close_notify: the client sees the end as an end, not a cut.
        _ = try client.decode(server.finish(), reply: &reply)
        #expect(client.peerClosed)
    }

    @Test func aClientRefusesACertificateForAnotherName() throws {
        let server = try TLSLayer(context: TLSFixture.server())
        let client = try TLSLayer(context: TLSFixture.client(serverName: "mail.example.org"))
        #expect(throws: TLSError.self) { _ = try shake(client, server, first: client.start()) }
    }

    @Test func aKeyThatIsNotTheCertificatesIsRefusedAtStart() throws {
        let otherKey = FileManager.default.temporaryDirectory.path + "/tls-other-key-\(getpid()).pem"
        defer { unlink(otherKey) }
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        made.arguments = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", otherKey]
        made.standardError = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
        #expect(throws: TLSError.self) { try TLSContext(certificateChain: TLSFixture.certificate, privateKey: otherKey) }
        #expect(throws: TLSError.self) { try TLSContext(certificateChain: "/nonexistent.pem", privateKey: TLSFixture.key) }
    }

    /// Through a live connection: the server's layer handshakes on the ring's
    /// reads (its replies go out as the layer asks), echoes, and a client that
    /// speaks plaintext to it loses only its own connection.
    @Test func aConnectionHandshakesEchoesAndDropsPlaintextPeers() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let context = try TLSFixture.server()
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard (try? await connection.pushLayer(TLSLayer(context: context))) != nil else { return }
            guard (try? await connection.write(Array("hello\r\n".utf8))) != nil else { return }
            while let bytes = try? await connection.read() {
                guard (try? await connection.write(bytes)) != nil else { return }
            }
        }
        let plaintextPeer = try LoopbackClient(port: port)
        try plaintextPeer.send(Array("a LOGIN alice secret\r\n".utf8))
        let answer = plaintextPeer.receiveUntilClosed(limit: 4096)
        // Closed, and the greeting queued before the handshake never leaked.
        #expect(!String(decoding: answer, as: UTF8.self).contains("hello"))

        let peer = try LoopbackClient(port: port)
        let client = try TLSLayer(context: TLSFixture.client())
        try peer.send(client.start())
        var plaintext: [UInt8] = []
        var rounds = 0
        while plaintext.count < 7 && rounds < 20 {
            rounds += 1
            let bytes = peer.receiveSome()
            guard !bytes.isEmpty else { break }
            var reply: [UInt8] = []
            plaintext += try client.decode(bytes, reply: &reply)
            if !reply.isEmpty { try peer.send(reply) }
        }
        #expect(String(decoding: plaintext, as: UTF8.self) == "hello\r\n")
        let message = pattern(4, count: 50_000)
        try peer.send(client.encode(message))
        var echoed: [UInt8] = []
        while echoed.count < message.count {
            let bytes = peer.receiveSome()
            guard !bytes.isEmpty else { break }
            var reply: [UInt8] = []
            echoed += try client.decode(bytes, reply: &reply)
        }
        #expect(echoed == message)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}

extension LoopbackClient {
    /// Whatever one recv returns (empty at the end or on the timeout).
    func receiveSome() -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return got > 0 ? Array(chunk[0..<got]) : []
    }
}
