import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// File ranges share a bounded pool of splice pipes per shard: pipes are reused, the
/// bound holds, a range that finds no pipe free is copied instead (same bytes), and a
/// pipe that may hold another connection's bytes never goes back to the pool. (In
/// debug builds the pool also asks the kernel that every returned pipe is empty.)
struct SplicePipePoolTests {
    private func settings(pipes: Int) -> RuntimeSettings {
        var settings = testSettings(shards: 1)
        settings.splicePipesPerShard = pipes
        settings.inlineFileSendLimit = 0  // the pool under test, even for cached files
        return settings
    }

    /// A file of `count` pattern bytes opened on `shard`; the caller closes it.
    private func makeFile(_ name: String, seed: Int, count: Int, on shard: Shard) async throws -> (RingFile, [UInt8]) {
        let path = "/tmp/mailshard-pipes-\(getpid())-\(name)"
        defer { unlink(path) }
        let body = pattern(seed, count: count)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: shard)
        try await file.write(body, at: 0)
        return (file, body)
    }

    /// What one connection is sent: bytes and file ranges interleaved, the ranges
    /// larger than a pipe (64 KiB) and at odd offsets, different per connection.
    private func script(for client: Int, body: [UInt8]) -> (ranges: [Range<Int>], expected: [UInt8]) {
        let ranges = [(client * 7)..<(client * 7 + 300_001), (1000 + client)..<(1000 + client + 5), 3..<200_003]
        var expected = Array("head \(client)\r\n".utf8)
        for range in ranges { expected += body[range] + Array("|".utf8) }
        return (ranges, expected)
    }

    private func serve(_ runtime: ShardRuntime, file: RingFile, body: [UInt8]) async throws -> UInt16 {
        let descriptor = file.descriptor
        return try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let request = try? await connection.read(), let client = Int(String(decoding: request, as: UTF8.self)) else { return }
            try? await connection.write(Array("head \(client)\r\n".utf8))
            for range in script(for: client, body: body).ranges {
                try? await connection.write(FileRange(descriptor: descriptor, offset: UInt64(range.lowerBound), count: range.count))
                try? await connection.write(Array("|".utf8))
            }
        }
    }

    /// Several connections at once (their sends interleave on the shard; the peers
    /// read one after another, so the others' sockets fill and their steps wait), for
    /// pool sizes from none (every step copied) to more pipes than connections.
    @Test(arguments: [0, 1, 2, 128])
    func concurrentRangesArriveIntactWithinTheBound(pipes: Int) async throws {
        let runtime = try ShardRuntime(settings: settings(pipes: pipes))
        let shard = runtime.shards[0]
        let (file, body) = try await makeFile("concurrent-\(pipes)", seed: 21, count: 400_000, on: shard)
        let port = try await serve(runtime, file: file, body: body)
        let clients = try (0..<6).map { index in
            let client = try LoopbackClient(port: port)
            try client.send(Array(String(index).utf8))
            return client
        }
        for (index, client) in clients.enumerated() {
            let expected = script(for: index, body: body).expected
            let received = client.receiveUntilClosed(limit: 2_000_000)
            #expect(received.count == expected.count)
            #expect(received.elementsEqual(expected), "client \(index) got other bytes than its own")
        }
        let counts = await shard.splicePipeCounts()
        #expect(counts.created <= pipes)
        #expect(counts.live <= pipes)
        #expect(counts.idle == counts.live, "every pipe came back after the ranges were sent")
        #expect(counts.discarded == 0)
        if pipes == 0 {
            #expect(counts.refused > 0)
        } else {
            #expect(counts.created >= 1)
            #expect(counts.reused > 0)
        }
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// One connection after another, many ranges each: one pipe serves them all.
    @Test func sequentialRangesReuseOnePipe() async throws {
        let runtime = try ShardRuntime(settings: settings(pipes: 4))
        let shard = runtime.shards[0]
        let (file, body) = try await makeFile("sequential", seed: 22, count: 400_000, on: shard)
        let port = try await serve(runtime, file: file, body: body)
        for index in 0..<5 {
            let client = try LoopbackClient(port: port)
            try client.send(Array(String(index).utf8))
            let received = client.receiveUntilClosed(limit: 2_000_000)
            #expect(received.elementsEqual(script(for: index, body: body).expected), "client \(index): \(received.count) bytes")
        }
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1)
        #expect(counts.live == 1)
        #expect(counts.idle == 1)
        #expect(counts.refused == 0)
        // 5 connections × 3 ranges, each at least one step (a chain of up to 8 pipe-fulls),
        // all but the first reused.
        #expect(counts.reused >= 5 * 3 - 1)
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that resets in the middle of a range ends its connection with a step
    /// in flight, whose pipe may hold bytes: that pipe is discarded, and the next connection, on the only pipe the
    /// pool may hold, gets exactly its own bytes.
    @Test func aPipeLeftDirtyByAClosedConnectionIsNotReused() async throws {
        let runtime = try ShardRuntime(settings: settings(pipes: 1))
        let shard = runtime.shards[0]
        let (bigFile, _) = try await makeFile("dirty-big", seed: 23, count: 4_000_000, on: shard)
        let (file, body) = try await makeFile("dirty-small", seed: 24, count: 400_000, on: shard)
        let bigDescriptor = bigFile.descriptor
        let descriptor = file.descriptor
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let request = try? await connection.read() else { return }
            if request == Array("big".utf8) {
                // Far more than the socket buffers take: the peer's reset finds a step in flight.
                for _ in 0..<20 {
                    guard (try? await connection.write(FileRange(descriptor: bigDescriptor, offset: 0, count: 4_000_000))) != nil else { break }
                }
                try? await connection.flush()
            } else {
                try? await connection.write(FileRange(descriptor: descriptor, offset: 11, count: 300_000))
            }
        }
        do {
            let leaver = try LoopbackClient(port: port)
            leaver.setReceiveBuffer(4096)
            try leaver.send(Array("big".utf8))
            _ = leaver.receive(count: 100_000)
            // Closed with unread data queued: the kernel resets the connection.
        }
        var counts = await shard.splicePipeCounts()
        for _ in 0..<1000 where counts.discarded == 0 {
            try await Task.sleep(for: .milliseconds(10))
            counts = await shard.splicePipeCounts()
        }
        #expect(counts.discarded == 1)
        #expect(counts.live == 0)
        let next = try LoopbackClient(port: port)
        try next.send(Array("small".utf8))
        let received = next.receiveUntilClosed(limit: 1_000_000)
        #expect(received.count == 300_000)
        #expect(received.elementsEqual(body[11..<300_011]), "the next connection got bytes that are not its own")
        counts = await shard.splicePipeCounts()
        #expect(counts.created == 2)
        #expect(counts.live == 1)
        try await file.close()
        try await bigFile.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
