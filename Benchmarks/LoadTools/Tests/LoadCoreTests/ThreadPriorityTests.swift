import Testing
@testable import LoadCore

/// The fan-out's readers can run at SCHED_IDLE: the class is the calling thread's
/// alone, and a thread can go back to normal (the workload does, to send each APPEND).
@Suite("Thread priority")
struct ThreadPriorityTests {
    @Test func aThreadMovesToIdleAndBackWithoutMovingOthers() {
        let mine = ThreadPriority.ofCurrentThread()
        let seen = WorkerPool.run(count: 1) { _ -> [ThreadPriority?] in
            var seen: [ThreadPriority?] = [ThreadPriority.ofCurrentThread()]
            do throws(LoadError) {
                try ThreadPriority.idle.applyToCurrentThread()
                seen.append(ThreadPriority.ofCurrentThread())
                try ThreadPriority.normal.applyToCurrentThread()
                seen.append(ThreadPriority.ofCurrentThread())
                try ThreadPriority.idle.applyToCurrentThread()
                seen.append(ThreadPriority.ofCurrentThread())
            } catch {
                seen.append(nil)
            }
            return seen
        }[0]
        #expect(seen == [mine, .idle, .normal, .idle])
        // The worker ended at idle; this thread, which started it, did not move.
        #expect(ThreadPriority.ofCurrentThread() == mine)
    }
}
