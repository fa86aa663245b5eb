import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// The watchdog's question: does every shard thread still run what is queued to it?
@Suite struct ResponsivenessTests {
    @Test func aBusyShardThreadFailsTheCheckUntilItRunsAgain() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        #expect(await runtime.allShardsRespond(within: .seconds(10)))

        // Shard 1 stuck in a loop (bounded, so a broken check can't hang the suite).
        let released = Atomic(false)
        runtime.shards[1].execute {
            for _ in 0..<20_000 where !released.load(ordering: .acquiring) { usleep(1000) }
        }
        #expect(await runtime.allShardsRespond(within: .milliseconds(200)) == false)
        released.store(true, ordering: .releasing)
        #expect(await runtime.allShardsRespond(within: .seconds(10)))
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}
