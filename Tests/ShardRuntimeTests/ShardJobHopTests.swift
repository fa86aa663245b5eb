import Testing
@testable import ShardRuntime

/// An actor isolated to a shard that calls another one there, as a session calls the
/// shard-isolated code of a command.
actor ShardCaller {
    let shard: Shard
    nonisolated var unownedExecutor: UnownedSerialExecutor { shard.asUnownedSerialExecutor() }

    init(shard: Shard) { self.shard = shard }

    /// Jobs the shard ran while this made `calls` calls to `counter`.
    func jobsRun(calling counter: ShardCounter, _ calls: Int) async -> Int {
        let before = shard.jobsRun
        for amount in 1...calls { _ = await counter.add(amount) }
        return shard.jobsRun - before
    }
}

/// Hops between code isolated to one shard, in a task that prefers that shard (every
/// session and command task), continue inline on the shard's thread: no job per hop.
/// The shard runs its jobs as its serial executor and as the task executor; run as the
/// serial executor alone, the runtime took each such hop for a change of task executor
/// and enqueued the task again (Benchmarks/results/load-bodies.md, session 6).
@Suite struct ShardJobHopTests {
    @Test func hopsBetweenActorsOfTheShardInATaskThatPrefersItTakeNoJobs() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let caller = ShardCaller(shard: shard)
        let counter = ShardCounter(shard: shard)
        let jobs = await Task(executorPreference: shard) { await caller.jobsRun(calling: counter, 100) }.value
        // 200 hops (there and back, 100 times); a job per hop before.
        #expect(jobs <= 2, "\(jobs) jobs for 200 hops")
        #expect(await counter.total == 5050)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A task without a preference still runs correctly on the shard (it may hop).
    @Test func aTaskWithoutPreferenceStillReachesTheShardsActors() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let caller = ShardCaller(shard: shard)
        let counter = ShardCounter(shard: shard)
        _ = await Task { await caller.jobsRun(calling: counter, 50) }.value
        let result = await counter.add(0)
        #expect(result.total == 1275)
        #expect(result.ranOn == 0)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}
