import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// `write(_:then:tailFollows:)` holds a response's head and body in the queue until
/// what follows them is queued, then sends head, body and tail in one burst (the tail
/// inline behind an inline body). The ordering rules tested here: held bytes never
/// leave before what was queued ahead of them, never before something is queued behind
/// them (or the writer flushes, or closes), and always in the order written; only the
/// last head and body are held, so a long response streams; a range over the inline
/// limit, or one written through a stream layer, is not held.
struct HeldTailTests {
    /// What a server handler saw, for the test to check once the connection ended.
    final class Observations: Sendable {
        let connection = Mutex<Connection?>(nil)
        /// Bytes queued right after the held write (nothing of it may have gone).
        let queuedWhileHeld = Atomic<Int>(-1)
        /// Set by the test once the client received what had to arrive first.
        let clientReceived = Atomic<Bool>(false)
        let failure = Atomic<Bool>(false)
        var failed: Bool { failure.load(ordering: .acquiring) }
        var queued: Int { queuedWhileHeld.load(ordering: .acquiring) }
    }

    private func settings(fixedFiles: Bool, inlineLimit: Int = 8 << 20) -> RuntimeSettings {
        inlineSendSettings(fixedFiles: fixedFiles, inlineLimit: inlineLimit)
    }

    /// A file of `count` pattern bytes, open for reading, kept open by the owner.
    private func makeFile(_ name: String, seed: Int, count: Int) throws -> (OwnedFileRangeTests.DescriptorOwner, [UInt8]) {
        let (descriptor, body) = try patternFile("heldtail-\(name)", seed: seed, count: count)
        return (OwnedFileRangeTests.DescriptorOwner(descriptor: descriptor), body)
    }

    private func head(_ number: Int, _ count: Int) -> [UInt8] {
        Array("* \(number) FETCH (BODY[] {\(count)}\r\n".utf8)
    }

    /// Waits (bounded) until the test says the client got what had to come first.
    private func awaitClient(_ observations: Observations) async {
        for _ in 0..<2000 where !observations.clientReceived.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func onShard<T: Sendable>(_ connection: Connection, _ body: @escaping @Sendable () -> T) async -> T {
        await withUnsafeContinuation { continuation in
            connection.shard.execute { continuation.resume(returning: body()) }
        }
    }

    /// Nothing of a held head and body leaves until the tail is queued; then all of it
    /// arrives in order, and the tail went inline right behind the inline body.
    @Test(arguments: [true, false])
    func aHeldBodyWaitsForItsTailAndLeavesWithIt(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("tail-\(fixedFiles)", seed: 61, count: 120_000)
        let observations = Observations()
        let head = head(1, 100_000)
        let tail = Array(")\r\nF1 OK FETCH completed\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            observations.connection.withLock { $0 = connection }
            do {
                // A first range makes the socket's inline descriptor ready (for a
                // registered socket it is installed through the ring).
                try await connection.write(Array("warm ".utf8), then: FileRange(descriptor: owner.descriptor, offset: 0, count: 20_000, owner: owner))
                try await connection.flush()
                let range = FileRange(descriptor: owner.descriptor, offset: 17, count: 100_000, owner: owner)
                try await connection.write(head, then: range, tailFollows: true)
                observations.queuedWhileHeld.store(await connection.queuedOutputBytes(), ordering: .releasing)
                try await connection.write(tail)
                try await connection.flush()
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 1_000_000)
        let expected = Array("warm ".utf8) + body[0..<20_000] + head + body[17..<100_017] + tail
        #expect(received.count == expected.count)
        #expect(received.elementsEqual(expected))
        #expect(!observations.failed)
        #expect(observations.queued == head.count + 100_000, "held: nothing sent")
        let connection = try #require(observations.connection.withLock { $0 })
        // Right behind the body: in the same splice (Connection+WholeResponse), or, when
        // the socket cut that splice short, inline behind the body's last sendfile.
        let tails = await onShard(connection) { connection.tailsSentInline + connection.wholeResponsesSpliced }
        #expect(tails >= 1, "the tail went inline right behind the body")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// Many responses in a row: writing the next head and body releases the one
    /// before, so the client receives the first response whole while the last is
    /// still held; every byte arrives in order once the tail is written.
    @Test(arguments: [true, false])
    func aLongResponseStreamsWhileOnlyItsLastBodyIsHeld(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("stream-\(fixedFiles)", seed: 62, count: 200_000)
        let observations = Observations()
        let counts = [150_000, 40_000, 199_000, 70_000]
        let close = Array(")\r\n".utf8)
        let completion = Array("F2 OK FETCH completed\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            do {
                for (index, count) in counts.enumerated() {
                    let prefix = (index == 0 ? [] : close) + head(index + 1, count)
                    let range = FileRange(descriptor: owner.descriptor, offset: UInt64(index), count: count, owner: owner)
                    try await connection.write(prefix, then: range, tailFollows: true)
                    // The client must get the first response before the last is released.
                    if index == 1 { await awaitClient(observations) }
                }
                try await connection.write(close + completion)
                try await connection.flush()
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        let first = head(1, counts[0]) + body[0..<counts[0]]
        let early = client.receive(count: first.count)
        #expect(early.elementsEqual(first), "the first response streamed while the next was held")
        observations.clientReceived.store(true, ordering: .releasing)
        let rest = client.receiveUntilClosed(limit: 2_000_000)
        var expected: [UInt8] = []
        for (index, count) in counts.enumerated() {
            expected += (index == 0 ? [] : close) + head(index + 1, count) + body[index..<(index + count)]
        }
        expected += close + completion
        #expect((early + rest).elementsEqual(expected))
        #expect(!observations.failed)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A writer that holds a body and then flushes (or ends, which closes the
    /// connection) gets it sent without any tail: nothing is held forever.
    @Test(arguments: [true, false])
    func flushOrCloseReleasesAHeldBody(byFlush: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true))
        let (owner, body) = try makeFile("release-\(byFlush)", seed: 63, count: 90_000)
        let observations = Observations()
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            do {
                let range = FileRange(descriptor: owner.descriptor, offset: 5, count: 80_000, owner: owner)
                try await connection.write(head(1, 80_000), then: range, tailFollows: true)
                if byFlush {
                    try await connection.flush()
                    observations.queuedWhileHeld.store(await connection.queuedOutputBytes(), ordering: .releasing)
                }
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 1_000_000)
        #expect(received.elementsEqual(head(1, 80_000) + body[5..<80_005]))
        #expect(!observations.failed)
        if byFlush { #expect(observations.queued == 0, "flush waited for the held bytes") }
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A range over the inline limit goes by the splice chain and is not held: the
    /// client gets the whole response before the writer queues its tail.
    @Test func aRangeOverTheInlineLimitIsNotHeld() async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true, inlineLimit: 50_000))
        let (owner, body) = try makeFile("large", seed: 64, count: 300_000)
        let observations = Observations()
        let tail = Array(")\r\nF1 OK FETCH completed\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            do {
                let range = FileRange(descriptor: owner.descriptor, offset: 3, count: 250_000, owner: owner)
                try await connection.write(head(1, 250_000), then: range, tailFollows: true)
                await awaitClient(observations)
                try await connection.write(tail)
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        let first = head(1, 250_000) + body[3..<250_003]
        let early = client.receive(count: first.count)
        #expect(early.elementsEqual(first), "sent without waiting for the tail")
        observations.clientReceived.store(true, ordering: .releasing)
        #expect(client.receiveUntilClosed(limit: 1_000_000) == tail)
        #expect(!observations.failed)
        let counts = await runtime.shards[0].splicePipeCounts()
        #expect(counts.created == 1, "the large range went by splice")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// Through a stream layer the body is read and encoded like any bytes, in order
    /// with its head and tail.
    @Test func aHeldBodyThroughAStreamLayerKeepsItsOrder() async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true))
        let (owner, body) = try makeFile("layer", seed: 65, count: 100_000)
        let tail = Array(")\r\nF1 OK FETCH completed\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.pushLayer(XorLayer(key: 0x3C))
            for round in 0..<2 {
                let range = FileRange(descriptor: owner.descriptor, offset: UInt64(round), count: 90_000, owner: owner)
                try? await connection.write(head(round + 1, 90_000), then: range, tailFollows: true)
            }
            try? await connection.write(tail)
        }
        let client = try LoopbackClient(port: port)
        var expected = head(1, 90_000) + body[0..<90_000] + head(2, 90_000) + body[1..<90_001] + tail
        expected = expected.map { $0 ^ 0x3C }
        #expect(client.receiveUntilClosed(limit: 1_000_000) == expected)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
