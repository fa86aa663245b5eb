import Testing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// An actor isolated to one shard: its code runs on that shard's thread.
actor ShardCounter {
    let shard: Shard
    var total = 0
    nonisolated var unownedExecutor: UnownedSerialExecutor { shard.asUnownedSerialExecutor() }

    init(shard: Shard) { self.shard = shard }

    /// Adds `amount` and reports which shard ran the code.
    func add(_ amount: Int) -> (total: Int, ranOn: Int?) {
        total += amount
        return (total, Shard.current?.index)
    }
}

@Suite struct ShardTests {
    @Test func ringSetupUsesSingleIssuerAndDeferredTaskRunWhenTheKernelHasThem() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let flags = runtime.shards[0].ringSetupFlags
        // SINGLE_ISSUER (1 << 12) and DEFER_TASKRUN (1 << 13) exist since Linux 6.1;
        // older kernels get the fallback ring.
        if kernelVersion() >= (6, 1) {
            #expect(flags & 0x3000 == 0x3000)
        }
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func runExecutesOnTheChosenShard() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        for shard in runtime.shards {
            let ranOn = await shard.run { Shard.current?.index }
            #expect(ranOn == shard.index)
        }
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func actorsIsolatedToAShardRunThereAndReceiveMessagesFromOtherShards() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        let counter = ShardCounter(shard: runtime.shards[1])
        // Messages sent from code running on shard 0 hop to shard 1 and back.
        let results = await runtime.shards[0].run {
            var seen: [(Int, Int?)] = []
            for amount in 1...100 { seen.append(await counter.add(amount)) }
            return (seen.map(\.0), seen.map(\.1), Shard.current?.index)
        }
        #expect(results.0.last == 5050)
        #expect(results.1.allSatisfy { $0 == 1 })
        #expect(results.2 == 0)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func manyTasksMessagingAcrossShardsAllArrive() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 2))
        let counters = runtime.shards.map { ShardCounter(shard: $0) }
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<200 {
                group.addTask {
                    await runtime.shards[sender % 2].run {
                        _ = await counters[(sender + 1) % 2].add(1)
                    }
                }
            }
        }
        #expect(await counters[0].total == 100)
        #expect(await counters[1].total == 100)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: [Duration.milliseconds(1), .milliseconds(30)])
    func sleepResumesAfterItsDuration(_ duration: Duration) async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let clock = ContinuousClock()
        let start = clock.now
        try await shard.sleep(for: duration)
        // A timer may fire late on a busy machine, never early.
        #expect(clock.now - start >= duration)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func cancellingASleepEndsItWithCancellationError() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let sleeper = Task { try await shard.sleep(for: .seconds(3600)) }
        try await shard.sleep(for: .milliseconds(5))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        // A task cancelled before it sleeps does not sleep at all.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await shard.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func cancellingAReadEndsItWithCancellationError() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let outcome = Mutex<String?>(nil)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            let reader = Task(executorPreference: connection.shard) { try await connection.read() }
            try? await connection.shard.sleep(for: .milliseconds(10))
            reader.cancel()
            do {
                _ = try await reader.value
                outcome.withLock { $0 = "read returned" }
            } catch is CancellationError {
                outcome.withLock { $0 = "cancelled" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
            try? await connection.write(Array("done".utf8))
        }
        let client = try LoopbackClient(port: port)
        #expect(client.receive(count: 4) == Array("done".utf8))
        #expect(outcome.withLock { $0 } == "cancelled")
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}

/// The running kernel's (major, minor) version.
func kernelVersion() -> (Int, Int) {
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
    return (numbers.first ?? 0, numbers.dropFirst().first ?? 0)
}
