import Synchronization
import Testing
@testable import MailStore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SearchThreadsTests {
    /// Chunks run on the search threads, never on the global concurrent executor
    /// (one thread per core), whose threads a long BODY scan would otherwise hold
    /// away from password hashing and other short off-shard work.
    @Test func chunksRunOnTheSearchThreads() async throws {
        let threads = SearchThreads(limit: 2)
        let onThem = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask(executorPreference: threads) { threads.isCurrent } }
            return await group.reduce(into: Set<Bool>()) { $0.insert($1) }
        }
        #expect(onThem == [true])
        #expect(await Task.detached { threads.isCurrent }.value == false)
    }

    @Test func runsEveryJobAndStartsNoMoreThreadsThanItsLimit() async throws {
        let threads = SearchThreads(limit: 3)
        let sum = await withTaskGroup(of: Int.self) { group in
            for number in 1...200 {
                group.addTask(executorPreference: threads) { number }
            }
            return await group.reduce(0, +)
        }
        #expect(sum == 200 * 201 / 2)
        #expect(threads.liveThreads <= 3)
    }

    @Test func idleThreadsEnd() async throws {
        let threads = SearchThreads(limit: 2, idleExitSeconds: 1)
        await Task(executorPreference: threads) {}.value
        for _ in 0..<200 where threads.liveThreads > 0 { usleep(50_000) }
        #expect(threads.liveThreads == 0)
        // And a later job starts one again.
        #expect(await Task(executorPreference: threads) { 7 }.value == 7)
    }
}
