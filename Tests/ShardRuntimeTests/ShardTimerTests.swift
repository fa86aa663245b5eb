import Synchronization
import Testing
@testable import ShardRuntime

/// The shard's timer queue (a heap with positions) and the timers it drives.
@Suite struct ShardTimerTests {
    // MARK: The queue alone (no ring)

    /// Deadlines `offsets` milliseconds after a fixed start, in queue order.
    private func popAll(_ queue: inout ShardTimerQueue, until now: ContinuousClock.Instant) -> [ShardTimer] {
        var popped: [ShardTimer] = []
        while let timer = queue.popDue(now: now) { popped.append(timer) }
        return popped
    }

    @Test(arguments: [1, 2, 7, 100, 1000])
    func queueYieldsTimersInDeadlineOrder(count: Int) throws {
        let shard = try Shard(index: 0, settings: testSettings(shards: 1), log: { _ in })
        let start = ContinuousClock.now
        var queue = ShardTimerQueue()
        var generator = SplitMix(seed: UInt64(count))
        var offsets: [Int] = []
        for _ in 0..<count {
            let offset = Int(generator.next() % 500)
            offsets.append(offset)
            let timer = ShardTimer(on: shard) {}
            timer.deadline = start + .milliseconds(offset)
            queue.insertOrUpdate(timer)
        }
        // Only what is due comes out.
        let early = popAll(&queue, until: start + .milliseconds(249))
        #expect(early.count == offsets.filter { $0 <= 249 }.count)
        let late = popAll(&queue, until: start + .seconds(1))
        let deadlines = (early + late).map(\.deadline)
        #expect(deadlines == deadlines.sorted())
        #expect(deadlines.count == count)
        #expect(queue.isEmpty)
        #expect((early + late).allSatisfy { $0.queueIndex == ShardTimer.firing })
    }

    @Test func removingAndMovingKeepsTheOrderAndDropsTheRemoved() throws {
        let shard = try Shard(index: 0, settings: testSettings(shards: 1), log: { _ in })
        let start = ContinuousClock.now
        var queue = ShardTimerQueue()
        var timers: [ShardTimer] = []
        for offset in 0..<200 {
            let timer = ShardTimer(on: shard) {}
            timer.deadline = start + .milliseconds(offset)
            queue.insertOrUpdate(timer)
            timers.append(timer)
        }
        // Remove every third; move every fifth (of the rest) to the far end.
        for (index, timer) in timers.enumerated() where index % 3 == 0 { queue.remove(timer) }
        for (index, timer) in timers.enumerated() where index % 3 != 0 && index % 5 == 0 {
            timer.deadline = start + .milliseconds(1000 + index)
            queue.insertOrUpdate(timer)
        }
        #expect(queue.count == timers.count - 67)
        #expect(timers.enumerated().allSatisfy { $0.offset % 3 != 0 || $0.element.queueIndex == ShardTimer.notQueued })
        let popped = popAll(&queue, until: start + .seconds(2))
        #expect(popped.count == 133)
        #expect(popped.map(\.deadline) == popped.map(\.deadline).sorted())
        #expect(!popped.contains { timer in timers.firstIndex { $0 === timer }! % 3 == 0 })
        // Removing what is not queued is harmless.
        queue.remove(timers[0])
        #expect(queue.isEmpty)
    }

    // MARK: Timers on a running shard

    @Test func timersFireInDeadlineOrderAndNeverEarly() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let fired = Mutex<[(Int, ContinuousClock.Instant, ContinuousClock.Instant)]>([])
        await shard.run {
            let now = ContinuousClock.now
            for (name, offset) in [(2, 30), (0, 5), (1, 15)] {
                let deadline = now + .milliseconds(offset)
                let timer = ShardTimer(on: shard) { fired.withLock { $0.append((name, deadline, .now)) } }
                timer.schedule(at: deadline)
            }
        }
        try await waitUntil(shard) { fired.withLock { $0.count } == 3 }
        let record = fired.withLock { $0 }
        #expect(record.map(\.0) == [0, 1, 2])
        #expect(record.allSatisfy { $0.2 >= $0.1 })
        #expect(await shard.run { shard.scheduledTimerCount } == 0)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aCancelledTimerDoesNotFireAndARescheduledOneFiresOnceAtItsNewDeadline() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let fired = Mutex<[String]>([])
        let sentinel = ShardTimer(on: shard) { fired.withLock { $0.append("sentinel") } }
        let cancelled = ShardTimer(on: shard) { fired.withLock { $0.append("cancelled") } }
        let moved = ShardTimer(on: shard) { fired.withLock { $0.append("moved") } }
        let invalidated = ShardTimer(on: shard) { fired.withLock { $0.append("invalidated") } }
        await shard.run {
            cancelled.schedule(after: .milliseconds(5))
            cancelled.cancel()
            #expect(!cancelled.isScheduled)
            invalidated.schedule(after: .milliseconds(5))
            invalidated.invalidate()
            // Scheduling an invalidated timer does nothing.
            invalidated.schedule(after: .milliseconds(5))
            #expect(!invalidated.isScheduled)
            moved.schedule(after: .seconds(3600))
            moved.schedule(after: .milliseconds(10))
            sentinel.schedule(after: .milliseconds(40))
            #expect(shard.scheduledTimerCount == 2)
        }
        try await waitUntil(shard) { fired.withLock { $0.contains("sentinel") } }
        #expect(fired.withLock { $0 } == ["moved", "sentinel"])
        // A fired timer can be scheduled again.
        await shard.run { moved.schedule(after: .milliseconds(1)) }
        try await waitUntil(shard) { fired.withLock { $0.count } == 3 }
        #expect(fired.withLock { $0 } == ["moved", "sentinel", "moved"])
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// An action that cancels another timer due in the same batch stops it.
    @Test func cancellingATimerDueInTheSameBatchStopsIt() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let fired = Mutex<[String]>([])
        let second = ShardTimer(on: shard) { fired.withLock { $0.append("second") } }
        let first = ShardTimer(on: shard) {
            fired.withLock { $0.append("first") }
            second.cancel()
        }
        let sentinel = ShardTimer(on: shard) { fired.withLock { $0.append("sentinel") } }
        await shard.run {
            let deadline = ContinuousClock.now + .milliseconds(5)
            first.schedule(at: deadline)
            second.schedule(at: deadline + .nanoseconds(1))
            sentinel.schedule(at: deadline + .milliseconds(30))
        }
        try await waitUntil(shard) { fired.withLock { $0.contains("sentinel") } }
        #expect(fired.withLock { $0 } == ["first", "sentinel"])
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func manyTimersEachFireOnceUnlessCancelled() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let count = 2000
        let fires = Mutex([Int](repeating: 0, count: count))
        let timers = (0..<count).map { index in ShardTimer(on: shard) { fires.withLock { $0[index] += 1 } } }
        await shard.run {
            var generator = SplitMix(seed: 42)
            for timer in timers { timer.schedule(after: .milliseconds(Int(generator.next() % 50))) }
            for (index, timer) in timers.enumerated() where index % 4 == 0 { timer.cancel() }
            #expect(shard.scheduledTimerCount == count - count / 4)
        }
        try await waitUntil(shard) { fires.withLock { $0.reduce(0, +) } >= count - count / 4 }
        await shard.run {}
        let counts = fires.withLock { $0 }
        #expect(counts.enumerated().allSatisfy { $0.element == ($0.offset % 4 == 0 ? 0 : 1) })
        #expect(await shard.run { shard.scheduledTimerCount } == 0)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// Polls on the shard until `condition` holds (bounded: a few seconds at most).
    private func waitUntil(_ shard: Shard, _ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await shard.sleep(for: .milliseconds(2)) }
        #expect(condition())
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
