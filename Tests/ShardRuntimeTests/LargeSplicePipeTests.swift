import Synchronization
import CURing
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// Large bodies through the splice chain with pipes grown to `splicePipeSize` (1 MiB
/// by default) for the step: a pipe reports the size the kernel gave it, grows and
/// shrinks back; a multi-megabyte range at an odd offset goes out in one chain when
/// the socket takes it; through a full non-blocking socket (partial splices, bytes
/// left in the pipe, POLLOUT waits) every byte still arrives in order; and no pipe
/// stays large once its step is done.
struct LargeSplicePipeTests {
    final class ConnectionSlot: Sendable {
        let connection = Mutex<Connection?>(nil)
    }

    @Test func aPipeReportsTheSizeTheKernelGaveIt() throws {
        let large = try SplicePipe(capacity: 1 << 20)
        #expect(large.capacity == 1 << 20)
        #expect(Int(mailshard_get_pipe_size(large.writeEnd)) == large.capacity)
        // A size the kernel refuses (0: EINVAL) leaves the pipe as created; the chunks
        // must be sized for that, not for a guess.
        let refused = try SplicePipe(capacity: 0)
        #expect(refused.capacity > 0)
        #expect(Int(mailshard_get_pipe_size(refused.writeEnd)) == refused.capacity)
        large.resize(to: 65536)
        #expect(large.capacity == 65536, "an empty pipe shrinks")
        #expect(Int(mailshard_get_pipe_size(large.writeEnd)) == 65536)
    }

    /// Idle pipes are at the base size; a borrow for more than that grows the pipe,
    /// a borrow for less does not, and a returned pipe is shrunk back.
    @Test func thePoolGrowsAPipeOnlyForALargeStepAndShrinksItOnReturn() throws {
        let pool = SplicePipePool(limit: 2, largeCapacity: 1 << 20)
        let small = try #require(pool.borrow(forBytes: 30_000))
        #expect(small.capacity == 65536)
        pool.giveBack(small)
        let grown = try #require(pool.borrow(forBytes: 3 << 20))
        #expect(grown === small, "the idle pipe is reused")
        #expect(grown.capacity == 1 << 20)
        #expect(pool.snapshot.grown == 1 && pool.snapshot.large == 1)
        pool.giveBack(grown)
        #expect(grown.capacity == 65536)
        #expect(Int(mailshard_get_pipe_size(grown.writeEnd)) == 65536)
        #expect(pool.snapshot.large == 0 && pool.snapshot.idle == 1)
    }

    /// 3 MiB at offset 5 spans 769 pages: with 1 MiB pipes that is 4 pairs, one chain,
    /// one borrow (64 KiB pipes took 49 pairs in 7 chains).
    @Test func aLargeRangeGoesOutInOneChainOfLargePipes() async throws {
        var settings = testSettings(shards: 1)
        settings.inlineFileSendLimit = 0  // the splice chain, even for a cached file
        settings.splicePipesPerShard = 1
        #expect(settings.splicePipeSize == 1 << 20, "the default pipe size")
        let runtime = try ShardRuntime(settings: settings)
        let shard = runtime.shards[0]
        let count = 3 << 20
        let (descriptor, body) = try patternFile("large-chain", seed: 61, count: count + 4096)
        defer { close(descriptor) }
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.write(Array("<".utf8))
            try? await connection.write(FileRange(descriptor: descriptor, offset: 5, count: count))
            try? await connection.write(Array(">".utf8))
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: count + 100)
        #expect(received.count == count + 2)
        #expect(received.elementsEqual(Array("<".utf8) + body[5..<(5 + count)] + Array(">".utf8)))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1)
        #expect(counts.created + counts.reused == 1, "one borrow: the whole range in one chain")
        #expect(counts.grown == 1 && counts.large == 0, "grown for the step, shrunk when returned")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// The path a 10 MiB body takes: the socket made non-blocking by an earlier inline
    /// range, the body too large to go inline, so it is spliced through 1 MiB pipes into
    /// a socket that fills (a small send buffer, a peer that reads late through a small
    /// receive buffer): splices come up short or meet EAGAIN, the pipe keeps what the
    /// socket did not take, and the steps wait for POLLOUT. Every byte arrives in order
    /// and the pipe goes back to the pool empty.
    @Test(arguments: [true, false])
    func aLargeRangeThroughAFullSocketArrivesExactly(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: inlineSendSettings(fixedFiles: fixedFiles, inlineLimit: 64 * 1024))
        let shard = runtime.shards[0]
        let count = 5 * (1 << 20) + 3
        let (descriptor, body) = try patternFile("large-full-\(fixedFiles)", seed: 62, count: count + 100)
        defer { close(descriptor) }
        let slot = ConnectionSlot()
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            slot.connection.withLock { $0 = connection }
            try? await connection.write(FileRange(descriptor: descriptor, offset: 0, count: 7))
            try? await connection.flush()  // inline: the socket is non-blocking from here
            await shrinkSendBuffer(of: connection)
            try? await connection.write(FileRange(descriptor: descriptor, offset: 7, count: count))
            try? await connection.write(Array(">".utf8))
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(128 * 1024)
        try await Task.sleep(for: .milliseconds(200))
        let received = client.receiveUntilClosed(limit: count + 1000)
        #expect(received.count == count + 8)
        #expect(received.elementsEqual(body[0..<(count + 7)] + Array(">".utf8)))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1 && counts.discarded == 0)
        #expect(counts.idle == counts.live, "the pipe came back empty")
        #expect(counts.grown >= 1 && counts.large == 0, "no pipe stays large after its step")
        let waits = await Self.writableWaits(of: slot, on: shard)
        #expect(waits > 0, "the socket filled and the splice steps waited for POLLOUT")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }


    private static func writableWaits(of slot: ConnectionSlot, on shard: Shard) async -> Int {
        guard let connection = slot.connection.withLock({ $0 }) else { return 0 }
        return await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: connection.writableWaits) }
        }
    }
}
