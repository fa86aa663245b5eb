import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

@Suite struct FileTests {
    func temporaryPath(_ name: String) -> String {
        "/tmp/mailshard-runtime-\(getpid())-\(name)"
    }

    @Test func writeSyncReadBackThroughTheRing() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let path = temporaryPath("rw")
        defer { unlink(path) }
        let bytes = pattern(9, count: 300_000)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: shard)
        try await file.write(bytes, at: 0)
        try await file.write(Array("tail".utf8), at: UInt64(bytes.count))
        try await file.sync()
        try await file.sync(dataOnly: true)
        let whole = try await file.read(at: 0, count: bytes.count + 100)
        #expect(whole == bytes + Array("tail".utf8))
        let middle = try await file.read(at: 1000, count: 10)
        #expect(middle == Array(bytes[1000..<1010]))
        #expect(try await file.read(at: UInt64(bytes.count + 4), count: 10).isEmpty)
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func openingAMissingFileThrowsENOENT() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        await #expect(throws: SystemError("open /nonexistent/mailshard", code: ENOENT)) {
            _ = try await RingFile.open("/nonexistent/mailshard", flags: O_RDONLY, on: runtime.shards[0])
        }
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A file range goes out by splice; with a layer it is read and encoded instead.
    @Test(arguments: [false, true])
    func fileRangesReachThePeerExactly(withLayer: Bool) async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let path = temporaryPath("range-\(withLayer)")
        defer { unlink(path) }
        let body = pattern(5, count: 1_000_003)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await file.write(body, at: 0)
        let descriptor = file.descriptor
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            if withLayer { try? await connection.pushLayer(XorLayer(key: 0x33)) }
            try? await connection.write(Array("head".utf8))
            try? await connection.write(FileRange(descriptor: descriptor, offset: 3, count: 1_000_000))
            try? await connection.write(Array("tail".utf8))
        }
        let client = try LoopbackClient(port: port)
        var expected = Array("head".utf8) + body[3..<1_000_003] + Array("tail".utf8)
        if withLayer { expected = expected.map { $0 ^ 0x33 } }
        let received = client.receiveUntilClosed(limit: 2_000_000)
        #expect(received.count == expected.count)
        #expect(received == expected)
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A peer that disappears in the middle of a large body ends its connection (the
    /// write reports it), and the server goes on serving others.
    @Test func aPeerVanishingMidBodyEndsOnlyItsConnection() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let path = temporaryPath("vanish")
        defer { unlink(path) }
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await file.write(pattern(6, count: 4_000_000), at: 0)
        let descriptor = file.descriptor
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let request = try? await connection.read() else { return }
            if request == Array("body".utf8) {
                for _ in 0..<20 {
                    guard (try? await connection.write(FileRange(descriptor: descriptor, offset: 0, count: 4_000_000))) != nil else { break }
                }
                try? await connection.flush()
            } else {
                try? await connection.write(request)
            }
        }
        do {
            let leaver = try LoopbackClient(port: port)
            try leaver.send(Array("body".utf8))
            _ = leaver.receive(count: 100_000)
            // Close with unread data queued: the kernel answers the server with a reset.
        }
        let other = try LoopbackClient(port: port)
        try other.send(Array("ping".utf8))
        #expect(other.receive(count: 4) == Array("ping".utf8))
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
