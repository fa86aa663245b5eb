import Foundation
import Synchronization

/// Runs `count` workers, each on its own thread (the client I/O is blocking), and
/// returns their results in worker order.
public enum WorkerPool {
    public static func run<Result: Sendable>(count: Int, _ body: @escaping @Sendable (Int) -> Result) -> [Result] {
        let results = Mutex<[Int: Result]>([:])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                let result = body(index)
                results.withLock { $0[index] = result }
                group.leave()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        group.wait()
        return results.withLock { collected in (0..<count).map { collected[$0]! } }
    }
}

/// A start line all workers wait at, so logins and seeding stay out of the measured
/// interval, and a shared deadline and operation budget.
public final class RunGate: Sendable {
    private let state = Mutex<(waiting: Int, start: UInt64?)>((0, nil))
    private let parties: Int
    public let durationSeconds: Double
    private let budget: Int
    private let spent = Atomic<Int>(0)

    public init(parties: Int, durationSeconds: Double, operationBudget: Int) {
        self.parties = parties
        self.durationSeconds = durationSeconds
        budget = operationBudget
    }

    /// Blocks until every worker arrived; returns the common start time.
    public func arriveAndWait() -> UInt64 {
        state.withLock { $0.waiting += 1 }
        while true {
            let start: UInt64? = state.withLock { state in
                if state.start == nil, state.waiting >= parties { state.start = MonotonicClock.nanoseconds() }
                return state.start
            }
            if let start { return start }
            usleep(1000)
        }
    }

    /// The start time, once every worker arrived.
    public var start: UInt64? { state.withLock { $0.start } }

    /// Whether another operation may begin: before the deadline and within the budget.
    public func mayContinue() -> Bool {
        guard let start else { return true }
        if Double(MonotonicClock.nanoseconds() &- start) / 1e9 >= durationSeconds { return false }
        if budget > 0 { return spent.add(1, ordering: .relaxed).oldValue < budget }
        return true
    }
}
