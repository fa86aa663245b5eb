import Testing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

@Suite struct ConnectionLifecycleTests {
    /// A peer that never reads: the writer is paused at the output bound (memory does
    /// not grow with what the producer wants to send), then the peer is dropped and
    /// the drop is logged.
    @Test func aPeerThatNeverReadsPausesItsWriterAndIsDropped() async throws {
        var settings = testSettings(shards: 1)
        settings.maxOutputBytesPerConnection = 64 * 1024
        settings.stalledPeerTimeout = .milliseconds(300)
        let log = LogRecorder()
        let runtime = try ShardRuntime(settings: settings, log: log.sink)
        let report = Mutex<(maxQueued: Int, written: Int, error: ConnectionError?)>((0, 0, nil))
        let finished = Mutex(false)
        let chunk = pattern(3, count: 32 * 1024)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            // Wants to send 256 MiB; must be stopped long before.
            for _ in 0..<8192 {
                do {
                    try await connection.write(chunk)
                } catch {
                    report.withLock { $0.error = error as? ConnectionError }
                    break
                }
                let queued = await connection.queuedOutputBytes()
                report.withLock {
                    $0.maxQueued = max($0.maxQueued, queued)
                    $0.written += chunk.count
                }
            }
            finished.withLock { $0 = true }
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(4096)
        for _ in 0..<2000 where !finished.withLock({ $0 }) {
            try await runtime.shards[0].sleep(for: .milliseconds(10))
        }
        let outcome = report.withLock { $0 }
        #expect(finished.withLock { $0 })
        #expect(outcome.error == .peerStalled)
        #expect(outcome.maxQueued <= settings.maxOutputBytesPerConnection + chunk.count)
        #expect(outcome.written < 64 * 1024 * 1024, "the writer was paused, not buffered")
        #expect(log.all.contains { $0.contains("dropping connection") })
        #expect(await runtime.connectionCounts() == [0])
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// Shutdown with connections open: reads end with `.shuttingDown`, handlers say
    /// goodbye, the sockets close, nothing accepts any more, the threads end.
    @Test func shutdownLetsHandlersSayGoodbyeAndClosesEverything() async throws {
        raiseOpenFileLimit()
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.write(Array("* OK ready\r\n".utf8))
            do {
                while let bytes = try await connection.read() { try await connection.write(bytes) }
            } catch ConnectionError.shuttingDown {
                try? await connection.write(Array("* BYE shutting down\r\n".utf8))
            } catch {}
        }
        let clients = try (0..<40).map { _ in try LoopbackClient(port: port) }
        for client in clients { #expect(client.receive(count: 12) == Array("* OK ready\r\n".utf8)) }
        // One connection is mid-conversation, the rest idle.
        try clients[0].send(Array("ping".utf8))
        #expect(clients[0].receive(count: 4) == Array("ping".utf8))
        #expect(await runtime.connectionCounts().reduce(0, +) == 40)

        await runtime.shutdown(gracePeriod: .seconds(10))

        for client in clients {
            #expect(client.receiveUntilClosed() == Array("* BYE shutting down\r\n".utf8))
        }
        #expect(throws: SystemError.self) { _ = try LoopbackClient(port: port) }
        #expect(runtime.shards.allSatisfy { $0.exited.load(ordering: .acquiring) })
    }

    /// A handler that ignores shutdown is cut off when the grace period ends.
    @Test func shutdownClosesConnectionsStillOpenAfterTheGracePeriod() async throws {
        let log = LogRecorder()
        let runtime = try ShardRuntime(settings: testSettings(shards: 1), log: log.sink)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            // Keeps the connection, never reads: only the deadline ends it.
            try? await connection.shard.sleep(for: .seconds(3600))
        }
        let client = try LoopbackClient(port: port)
        for _ in 0..<500 where await runtime.connectionCounts() != [1] {
            try await runtime.shards[0].sleep(for: .milliseconds(2))
        }
        await runtime.shutdown(gracePeriod: .milliseconds(100))
        #expect(client.receiveUntilClosed().isEmpty)
        #expect(log.all.contains { $0.contains("still open after the grace period") })
    }

    /// Aborting ends a pending read with `.closed` (not a clean end of stream) and the
    /// peer sees the socket close.
    @Test func abortEndsAPendingReadWithClosed() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let outcome = Mutex<String?>(nil)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            let reader = Task(executorPreference: connection.shard) { try await connection.read() }
            try? await connection.shard.sleep(for: .milliseconds(10))
            connection.abort()
            do {
                let bytes = try await reader.value
                outcome.withLock { $0 = "returned \(String(describing: bytes))" }
            } catch let error as ConnectionError {
                outcome.withLock { $0 = "\(error)" }
            } catch {
                outcome.withLock { $0 = "other \(error)" }
            }
            await #expect(throws: ConnectionError.closed) { try await connection.write([1]) }
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed().isEmpty)
        await runtime.shutdown(gracePeriod: .seconds(1))
        #expect(outcome.withLock { $0 } == "closed")
    }

    /// A connection moved to another shard keeps working there, bytes in order.
    @Test func aConnectionMovesToAnotherShardAndKeepsItsBytes() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        let shards = runtime.shards
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let first = try? await connection.read() else { return }
            try? await connection.write(first)
            let target = shards[(connection.shard.index + 1) % 2]
            guard let moved = try? await connection.move(to: target) else { return }
            // The old object is retired.
            await #expect(throws: ConnectionError.moved) { try await connection.write([1]) }
            await target.run {
                let here = Shard.current?.index ?? -1
                while let bytes = try? await moved.read() {
                    try? await moved.write(Array("\(here):".utf8) + bytes)
                }
            }
        }
        let client = try LoopbackClient(port: port)
        try client.send(Array("one".utf8))
        #expect(client.receive(count: 3) == Array("one".utf8))
        try client.send(Array("two".utf8))
        let reply = client.receive(count: 5)
        #expect(reply.count == 5 && reply.suffix(3) == Array("two".utf8)[...])
        let acceptedOn = await runtime.acceptedCounts().firstIndex(of: 1)!
        #expect(reply.first == UInt8(ascii: acceptedOn == 0 ? "1" : "0"))
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}
