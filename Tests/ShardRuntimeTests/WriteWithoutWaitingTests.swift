import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Synchronization
@testable import ShardRuntime

@Suite struct WriteWithoutWaitingTests {
    /// On the connection's shard the bytes are queued at once and go out in order
    /// with those of ordinary writes; off the shard nothing is queued.
    @Test func queuesInOrderOnTheShardAndRefusesElsewhere() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let pieces = [pattern(1, count: 100), pattern(2, count: 70_000), pattern(3, count: 7)]
        let refusedOffShard = Mutex<Bool?>(nil)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            // Off the shard on a thread of its own, not the global pool: this
            // test's body blocks a global thread in recv, and other suites may
            // hold the other one.
            let offShard = await withCheckedContinuation { continuation in
                DispatchQueue(label: "off-shard").async {
                    continuation.resume(returning: connection.writeWithoutWaiting(Array("lost".utf8)))
                }
            }
            refusedOffShard.withLock { $0 = !offShard }
            #expect(connection.writeWithoutWaiting(pieces[0]))
            try? await connection.write(pieces[1])
            #expect(connection.writeWithoutWaiting(pieces[2]))
            try? await connection.flush()
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed() == pieces.flatMap { $0 })
        #expect(refusedOffShard.withLock { $0 } == true)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that reads nothing: the queue stops growing at the output bound (the
    /// caller is told to wait instead), and a waiting write then drops the peer.
    @Test func refusesOverTheBoundAndAWaitingWriteDropsTheStalledPeer() async throws {
        var settings = testSettings(shards: 1)
        settings.maxOutputBytesPerConnection = 64 * 1024
        settings.stalledPeerTimeout = .milliseconds(300)
        let runtime = try ShardRuntime(settings: settings, log: LogRecorder().sink)
        let chunk = pattern(5, count: 16 * 1024)
        let outcome = Mutex<(refusals: Int, maxQueued: Int, error: ConnectionError?)?>(nil)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            var refusals = 0, maxQueued = 0
            var failure: ConnectionError?
            // Wants to send 128 MiB; must be stopped long before.
            for _ in 0..<8192 {
                if connection.writeWithoutWaiting(chunk) {
                    maxQueued = max(maxQueued, await connection.queuedOutputBytes())
                    continue
                }
                refusals += 1
                do { try await connection.write(chunk) } catch {
                    failure = error as? ConnectionError
                    break
                }
            }
            outcome.withLock { $0 = (refusals, maxQueued, failure) }
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(4096)
        for _ in 0..<2000 where outcome.withLock({ $0 }) == nil {
            try await runtime.shards[0].sleep(for: .milliseconds(10))
        }
        let result = try #require(outcome.withLock { $0 })
        #expect(result.refusals > 0, "refused once over the bound")
        #expect(result.maxQueued <= settings.maxOutputBytesPerConnection + chunk.count)
        #expect(result.error == .peerStalled)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A prefix and its file range (a FETCH answer's head and body) are queued at once
    /// on the shard within the bound, held for the tail that follows, and arrive in
    /// order; off the shard, over the bound, or without an owner nothing is queued.
    @Test func aPrefixAndFileRangeQueueAtOnceWithinTheBound() async throws {
        var settings = testSettings(shards: 1)
        settings.maxOutputBytesPerConnection = 256 * 1024
        let runtime = try ShardRuntime(settings: settings)
        let path = "/tmp/mailshard-without-waiting-\(getpid())"
        defer { unlink(path) }
        let body = pattern(7, count: 100_000)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await file.write(body, at: 0)
        let descriptor = file.descriptor
        final class Owner: Sendable {}
        let owner = Owner()
        let head = Array("* 1 FETCH (BODY[] {99989}\r\n".utf8), tail = Array(")\r\nF OK done\r\n".utf8)
        let refusals = Mutex<[Bool]>([])
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            let range = FileRange(descriptor: descriptor, offset: 11, count: 99_989, owner: owner)
            let offShard = await withCheckedContinuation { continuation in
                DispatchQueue(label: "off-shard").async {
                    continuation.resume(returning: (try? connection.writeWithoutWaiting(head, then: range)) ?? true
                        || connection.hasRoomWithoutWaiting(for: 1))
                }
            }
            let overBound = try? connection.writeWithoutWaiting(
                head, then: FileRange(descriptor: descriptor, offset: 0, count: 300_000, owner: owner))
            let withoutOwner = try? connection.writeWithoutWaiting(
                head, then: FileRange(descriptor: descriptor, offset: 0, count: 10))
            refusals.withLock {
                $0 = [!offShard, overBound == false, withoutOwner == false,
                      !connection.hasRoomWithoutWaiting(for: 256 * 1024 + 1), connection.hasRoomWithoutWaiting(for: 256 * 1024)]
            }
            #expect((try? connection.writeWithoutWaiting(head, then: range, tailFollows: true)) == true)
            try? await connection.write(tail)
            try? await connection.flush()
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed() == head + body[11..<100_000] + tail)
        #expect(refusals.withLock { $0 } == [true, true, true, true, true])
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
