import Synchronization
import Testing
@testable import ShardRuntime

@Suite struct HandOverTests {
    /// The accepting handler returns at once; the connection lives on in the task
    /// it was handed to, which writes after that return and whose end closes it.
    @Test func theHandedOverTaskOwnsTheConnectionAfterTheHandlerReturns() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            await connection.handOver { connection in
                // Long after the accepting handler has returned (and would have closed it).
                try? await shard.sleep(for: .milliseconds(100))
                #expect(shard.isCurrent)
                try? await connection.write(Array("later".utf8))
            }
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receiveUntilClosed() == Array("later".utf8))
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A shutdown waits for a handed-over task like for an accepting handler.
    @Test func shutdownWaitsForTheHandedOverTask() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let finished = Mutex(false)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            await connection.handOver { connection in
                // Reads until the shutdown ends them (the peer never closes).
                while case .some(.some) = try? await connection.read() {}
                finished.withLock { $0 = true }
            }
        }
        let client = try LoopbackClient(port: port)
        try client.send(Array("x".utf8))
        await runtime.shutdown(gracePeriod: .seconds(5))
        #expect(finished.withLock { $0 })
        _ = client
    }
}
