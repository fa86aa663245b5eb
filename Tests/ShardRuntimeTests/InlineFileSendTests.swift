import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// A cached file range goes out by sendfile on the shard thread (no splice pipe, no
/// copy), on ordinary and registered sockets alike; a full socket waits for POLLOUT
/// and resumes where it stopped, so a slow peer gets every byte in order; a peer
/// that resets mid-range ends its connection and nothing else; a range with pages
/// missing from the page cache takes the splice chain, also on a socket the inline
/// path already made non-blocking; with the setting off, nothing is sent inline.
struct InlineFileSendTests {
    final class ConnectionSlot: Sendable {
        let connection = Mutex<Connection?>(nil)
        let failed = Atomic<Bool>(false)
    }

    private func settings(fixedFiles: Bool, inlineLimit: Int = 8 << 20) -> RuntimeSettings {
        inlineSendSettings(fixedFiles: fixedFiles, inlineLimit: inlineLimit)
    }

    /// A file of `count` pattern bytes on disk (ext4 or tmpfs, whatever /tmp is),
    /// open for reading; `evicted` drops its pages from the page cache when it can.
    private func makeFile(_ name: String, seed: Int, count: Int, evicted: Bool = false) throws -> (Int32, [UInt8]) {
        let (descriptor, body) = try patternFile("inline-\(name)", seed: seed, count: count)
        if evicted {
            fsync(descriptor)
            _ = posix_fadvise(descriptor, 0, off_t(count), POSIX_FADV_DONTNEED)
        }
        return (descriptor, body)
    }

    /// Sends "<", the range, ">" per round and records the connection and any failure.
    private func serve(_ runtime: ShardRuntime, descriptor: Int32, offset: Int, count: Int, rounds: Int = 1,
                       slot: ConnectionSlot = ConnectionSlot()) async throws -> UInt16 {
        try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            slot.connection.withLock { $0 = connection }
            do {
                for _ in 0..<rounds {
                    try await connection.write(Array("<".utf8))
                    try await connection.write(FileRange(descriptor: descriptor, offset: UInt64(offset), count: count))
                    try await connection.write(Array(">".utf8))
                }
                try await connection.flush()
            } catch {
                slot.failed.store(true, ordering: .relaxed)
            }
        }
    }

    private func framed(_ body: [UInt8], _ range: Range<Int>, rounds: Int = 1) -> [UInt8] {
        var expected: [UInt8] = []
        for _ in 0..<rounds { expected += Array("<".utf8) + body[range] + Array(">".utf8) }
        return expected
    }


    private func writableWaits(of slot: ConnectionSlot, on shard: Shard) async -> Int {
        guard let connection = slot.connection.withLock({ $0 }) else { return 0 }
        return await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: connection.writableWaits) }
        }
    }

    private func inlineState(of slot: ConnectionSlot, on shard: Shard) async -> InlineSocket? {
        guard let connection = slot.connection.withLock({ $0 }) else { return nil }
        return await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: connection.inlineSocket) }
        }
    }

    @Test func aFreshlyWrittenRangeIsResidentAndOnePastTheEndIsNot() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let (descriptor, _) = try makeFile("resident", seed: 50, count: 3 * page)
        defer { close(descriptor) }
        #expect(PageCacheResidency.isResident(descriptor: descriptor, offset: 1, count: 3 * page - 1))
        #expect(!PageCacheResidency.isResident(descriptor: descriptor, offset: UInt64(page), count: 3 * page))
    }

    @Test(arguments: [true, false])
    func aCachedRangeGoesInlineWithoutAPipe(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let shard = runtime.shards[0]
        let (descriptor, body) = try makeFile("cached-\(fixedFiles)", seed: 51, count: 300_000)
        defer { close(descriptor) }
        let slot = ConnectionSlot()
        let port = try await serve(runtime, descriptor: descriptor, offset: 13, count: 250_000, rounds: 3, slot: slot)
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 1_000_000)
        #expect(received.count == 3 * 250_002)
        #expect(received.elementsEqual(framed(body, 13..<250_013, rounds: 3)))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 0 && counts.refused == 0, "no splice step and no copy step: sent inline")
        #expect(slot.connection.withLock { $0?.descriptor.isFixed } == fixedFiles)
        // Ended: an installed descriptor is closed, an ordinary one left to the ring's close.
        var state = await inlineState(of: slot, on: shard)
        for _ in 0..<500 where state.map({ if case .unavailable = $0 { false } else { true } }) ?? true {
            try await Task.sleep(for: .milliseconds(10))
            state = await inlineState(of: slot, on: shard)
        }
        guard case .unavailable = state else {
            Issue.record("the connection ended without releasing its inline descriptor: \(String(describing: state))")
            return
        }
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that reads nothing for a while, with a receive buffer far smaller than
    /// the range: the socket fills (EAGAIN, a POLLOUT on the ring, partial sendfiles)
    /// and once the peer reads, every byte arrives in order. (Not a tiny buffer: below
    /// the loopback MSS, TCP itself waits for its persist timer.)
    @Test(arguments: [true, false])
    func aSlowPeerGetsEveryByteInOrder(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let shard = runtime.shards[0]
        let (descriptor, body) = try makeFile("slow-\(fixedFiles)", seed: 52, count: 2_500_000)
        defer { close(descriptor) }
        let slot = ConnectionSlot()
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            slot.connection.withLock { $0 = connection }
            try? await connection.write(FileRange(descriptor: descriptor, offset: 0, count: 5))
            try? await connection.flush()  // a registered socket's descriptor is installed by then
            await shrinkSendBuffer(of: connection)
            try? await connection.write(FileRange(descriptor: descriptor, offset: 5, count: 2_400_000))
            try? await connection.write(Array(">".utf8))
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(128 * 1024)
        try await Task.sleep(for: .milliseconds(200))
        let received = client.receiveUntilClosed(limit: 3_000_000)
        #expect(received.count == 2_400_006)
        #expect(received.elementsEqual(body[0..<2_400_005] + Array(">".utf8)))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 0 && counts.refused == 0)
        let waits = await writableWaits(of: slot, on: shard)
        // Twice for the step's bound; the rest because the socket was full (EAGAIN).
        #expect(waits > 2, "the socket filled and the steps waited for POLLOUT")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that resets while far more is queued than the socket holds: its writer
    /// fails, and the next connection gets exactly its own bytes.
    @Test(arguments: [true, false])
    func aPeerResetMidRangeEndsOnlyItsConnection(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (descriptor, body) = try makeFile("reset-\(fixedFiles)", seed: 53, count: 2_000_000)
        defer { close(descriptor) }
        let leaverSlot = ConnectionSlot()
        let leaverPort = try await serve(runtime, descriptor: descriptor, offset: 0, count: 2_000_000, rounds: 20, slot: leaverSlot)
        do {
            let leaver = try LoopbackClient(port: leaverPort)
            leaver.setReceiveBuffer(4096)
            _ = leaver.receive(count: 100_000)
            // Closed with unread data queued: the kernel resets the connection.
        }
        for _ in 0..<1000 where !leaverSlot.failed.load(ordering: .relaxed) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let writerFailed = leaverSlot.failed.load(ordering: .relaxed)
        #expect(writerFailed, "the writer saw its connection end")
        let port = try await serve(runtime, descriptor: descriptor, offset: 77, count: 300_000)
        let next = try LoopbackClient(port: port)
        #expect(next.receiveUntilClosed(limit: 1_000_000).elementsEqual(framed(body, 77..<300_077)))
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// Pages not in the page cache: the range goes by the splice chain (never a disk
    /// read on the shard thread), after a cached range made the socket non-blocking,
    /// to a slow peer, so the chain's pipe-to-socket splices meet a full socket.
    @Test(arguments: [true, false])
    func anUncachedRangeTakesTheSpliceChainOnANonBlockingSocket(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let shard = runtime.shards[0]
        let (cached, cachedBody) = try makeFile("warm-\(fixedFiles)", seed: 54, count: 10_000)
        defer { close(cached) }
        let (cold, coldBody) = try makeFile("cold-\(fixedFiles)", seed: 55, count: 2_500_000, evicted: true)
        defer { close(cold) }
        try #require(!PageCacheResidency.isResident(descriptor: cold, offset: 0, count: 2_500_000),
                     "the kernel kept the pages after POSIX_FADV_DONTNEED")
        let slot = ConnectionSlot()
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            slot.connection.withLock { $0 = connection }
            try? await connection.write(FileRange(descriptor: cached, offset: 0, count: 10_000))
            try? await connection.flush()  // a registered socket's descriptor is installed by then
            await shrinkSendBuffer(of: connection)
            try? await connection.write(FileRange(descriptor: cold, offset: 3, count: 2_499_997))
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(128 * 1024)
        try await Task.sleep(for: .milliseconds(200))
        let received = client.receiveUntilClosed(limit: 3_000_000)
        #expect(received.count == 2_509_997)
        #expect(received.elementsEqual(Array(cachedBody) + coldBody[3...]))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1, "the uncached range went by splice")
        let waits = await writableWaits(of: slot, on: shard)
        #expect(waits > 0, "a pipe-to-socket splice met the full non-blocking socket and waited for POLLOUT")
        #expect(counts.idle == counts.live && counts.discarded == 0)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// `write(_:then:)` queues a head with its body (the FETCH path): the head comes
    /// first, inline with its body, or through a stream layer with the body copied.
    @Test(arguments: [false, true])
    func aHeadQueuedWithItsBodyArrivesFirst(withLayer: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true))
        let shard = runtime.shards[0]
        let (descriptor, body) = try makeFile("head-\(withLayer)", seed: 57, count: 200_000)
        let owner = OwnedFileRangeTests.DescriptorOwner(descriptor: descriptor)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            if withLayer { try? await connection.pushLayer(XorLayer(key: 0x5A)) }
            for round in 0..<3 {
                let range = FileRange(descriptor: owner.descriptor, offset: UInt64(round), count: 150_000, owner: owner)
                try? await connection.write(Array("* \(round) FETCH (BODY[] {150000}\r\n".utf8), then: range)
                try? await connection.write(Array(")\r\n".utf8))
            }
        }
        let client = try LoopbackClient(port: port)
        var expected: [UInt8] = []
        for round in 0..<3 {
            expected += Array("* \(round) FETCH (BODY[] {150000}\r\n".utf8) + body[round..<(round + 150_000)] + Array(")\r\n".utf8)
        }
        if withLayer { expected = expected.map { $0 ^ 0x5A } }
        let received = client.receiveUntilClosed(limit: 1_000_000)
        #expect(received.count == expected.count)
        #expect(received == expected)
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 0 && counts.refused == 0, "inline, or copied through the layer")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A range over the size limit keeps the splice chain; one within it on the same
    /// connection goes inline.
    @Test func aRangeOverTheLimitGoesByTheSpliceChain() async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true, inlineLimit: 100_000))
        let shard = runtime.shards[0]
        let (descriptor, body) = try makeFile("limit", seed: 58, count: 300_000)
        defer { close(descriptor) }
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.write(FileRange(descriptor: descriptor, offset: 0, count: 100_000))
            try? await connection.write(FileRange(descriptor: descriptor, offset: 1, count: 200_000))
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 1_000_000)
        #expect(received.elementsEqual(body[0..<100_000] + body[1..<200_001]))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1 && counts.refused == 0, "the second range went by splice")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    @Test func withTheSettingOffRangesGoByTheSpliceChain() async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true, inlineLimit: 0))
        let shard = runtime.shards[0]
        let (descriptor, body) = try makeFile("off", seed: 56, count: 200_000)
        defer { close(descriptor) }
        let port = try await serve(runtime, descriptor: descriptor, offset: 0, count: 200_000)
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed(limit: 1_000_000).elementsEqual(framed(body, 0..<200_000)))
        let counts = await shard.splicePipeCounts()
        #expect(counts.created == 1)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
