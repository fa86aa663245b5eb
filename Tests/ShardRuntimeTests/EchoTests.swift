import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

@Suite struct EchoTests {
    /// The second case starves the provided-buffer ring (8 buffers for 300 busy
    /// connections): receives then hit ENOBUFS and must be retried, not lost.
    @Test(arguments: [64, 8])
    func echoesBytesExactlyOverHundredsOfConnectionsAcrossShards(receiveBuffers: Int) async throws {
        raiseOpenFileLimit()
        var settings = testSettings(shards: 2)
        settings.receiveBufferCount = receiveBuffers
        let runtime = try ShardRuntime(settings: settings)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            while let bytes = try? await connection.read() {
                guard (try? await connection.write(bytes)) != nil else { return }
            }
        }
        let clients = try (0..<300).map { _ in try LoopbackClient(port: port) }
        for round in 0..<3 {
            var sent: [[UInt8]] = []
            for (index, client) in clients.enumerated() {
                let message = pattern(index * 7 + round, count: 1 + (index * 37 + round * 911) % 9000)
                try client.send(message)
                sent.append(message)
            }
            for (index, client) in clients.enumerated() {
                #expect(client.receive(count: sent[index].count) == sent[index])
            }
        }
        let accepted = await runtime.acceptedCounts()
        #expect(accepted.reduce(0, +) == 300)
        #expect(accepted.allSatisfy { $0 > 0 }, "connections spread over shards: \(accepted)")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    @Test func peerAddressNamesTheClient() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            let address = await connection.peerAddress() ?? "none"
            try? await connection.write(Array(address.utf8))
        }
        let client = try LoopbackClient(port: port)
        let reply = String(decoding: client.receiveUntilClosed(), as: UTF8.self)
        #expect(reply.hasPrefix("127.0.0.1:"))
        #expect(UInt16(reply.dropFirst("127.0.0.1:".count)) != nil)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    @Test func largeWritesArriveInOrder() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        // Several big writes queued back to back, one of them above the SEND_ZC threshold.
        let pieces = [pattern(1, count: 200_000), pattern(2, count: 10), pattern(3, count: 70_000), pattern(4, count: 5)]
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            for piece in pieces { try? await connection.write(piece) }
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed() == pieces.flatMap { $0 })
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    @Test func streamLayerTransformsBothWays() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.pushLayer(XorLayer(key: 0x5a))
            while let bytes = try? await connection.read() {
                // The protocol sees plain text.
                guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return }
                try? await connection.write(bytes)
            }
        }
        let client = try LoopbackClient(port: port)
        let plain = Array("hello layers".utf8)
        try client.send(plain.map { $0 ^ 0x5a })
        #expect(client.receive(count: plain.count) == plain.map { $0 ^ 0x5a })
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}

/// A toy layer that XORs every byte: enough to prove the plumbing runs both ways.
final class XorLayer: StreamLayer {
    let key: UInt8
    init(key: UInt8) { self.key = key }
    func decode(_ input: [UInt8], reply: inout [UInt8]) throws -> [UInt8] { input.map { $0 ^ key } }
    func encode(_ output: [UInt8]) throws -> [UInt8] { output.map { $0 ^ key } }
}
