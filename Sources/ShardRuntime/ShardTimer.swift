/// A reusable timer on one shard: its action runs on the shard's thread at the
/// deadline it was last scheduled for, unless cancelled or rescheduled first.
///
/// Every timer of a shard sits in one queue (``ShardTimerQueue``) driven by a single
/// ring timeout for the earliest deadline, so a timer costs one small object and a
/// queue slot instead of a task and an executor timer each: the way to give every
/// one of many thousand idle sessions a keepalive and an autologout deadline.
///
/// Schedule, cancel and invalidate on the shard's thread (an actor isolated to the
/// shard, or a task preferring it). The action runs from the shard's loop, between
/// jobs, never inside another job; it must not block. A timer fires at or after its
/// deadline (timers due within a few milliseconds of each other fire together),
/// never before.
///
/// While scheduled the shard holds the timer, and the timer holds its action: an
/// owner whose action captures it breaks that cycle with ``invalidate()``.
public final class ShardTimer: @unchecked Sendable {
    public let shard: Shard
    // Shard thread.
    var action: (@Sendable () -> Void)?
    var deadline: ContinuousClock.Instant
    /// Position in the shard's queue; `notQueued` when not scheduled, `firing`
    /// when taken out as due and about to fire (a cancel still stops it).
    var queueIndex = ShardTimer.notQueued

    static let notQueued = -1
    static let firing = -2

    public init(on shard: Shard, _ action: @escaping @Sendable () -> Void) {
        self.shard = shard
        self.action = action
        deadline = .now
    }

    /// Whether the timer will fire (scheduled and neither fired nor cancelled since).
    public var isScheduled: Bool {
        assert(shard.isCurrent)
        return queueIndex != Self.notQueued
    }

    /// The deadline it was last scheduled for.
    public var scheduledDeadline: ContinuousClock.Instant {
        assert(shard.isCurrent)
        return deadline
    }

    /// Fires the action at `deadline` (replacing any earlier schedule of this timer).
    public func schedule(at deadline: ContinuousClock.Instant) {
        precondition(shard.isCurrent, "ShardTimer scheduled off its shard")
        guard action != nil else { return }
        shard.scheduleTimer(self, at: deadline)
    }

    /// Fires the action `delay` from now.
    public func schedule(after delay: Duration) {
        schedule(at: .now + delay)
    }

    /// Stops a scheduled timer from firing; it may be scheduled again.
    public func cancel() {
        precondition(shard.isCurrent, "ShardTimer cancelled off its shard")
        shard.cancelTimer(self)
    }

    /// Cancels and drops the action for good (and whatever it captured).
    public func invalidate() {
        cancel()
        action = nil
    }
}

/// The shard's timers ordered by deadline: a binary min-heap whose entries know
/// their position, so cancelling or moving one is O(log n) and nothing cancelled
/// lingers in the queue. Plus the state of the one ring timeout that drives it.
struct ShardTimerQueue {
    private(set) var heap: [ShardTimer] = []
    /// When the armed ring timeout fires, if one is armed.
    var armedFireTime: ContinuousClock.Instant?
    /// The armed ring timeout's operation, to cancel it when superseded.
    var armedOperation: UInt64?
    /// Tells the armed ring timeout from ones that were superseded.
    var armGeneration: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var earliest: ShardTimer? { heap.first }

    /// Adds `timer` (not queued) at its `deadline`, or moves it there if queued.
    mutating func insertOrUpdate(_ timer: ShardTimer) {
        if timer.queueIndex < 0 {
            timer.queueIndex = heap.count
            heap.append(timer)
            siftUp(heap.count - 1)
        } else {
            let index = timer.queueIndex
            siftUp(index)
            siftDown(timer.queueIndex)
        }
    }

    /// Takes `timer` out if it is queued (or keeps it from firing if it is due).
    mutating func remove(_ timer: ShardTimer) {
        let index = timer.queueIndex
        guard index >= 0 else {
            timer.queueIndex = ShardTimer.notQueued
            return
        }
        precondition(heap[index] === timer, "timer queued on another shard")
        let last = heap.count - 1
        if index != last {
            heap.swapAt(index, last)
            heap[index].queueIndex = index
        }
        heap.removeLast()
        timer.queueIndex = ShardTimer.notQueued
        if index < heap.count {
            siftUp(index)
            siftDown(heap[index].queueIndex)
        }
    }

    /// Takes the earliest timer if its deadline is at or before `now`, marked
    /// `firing` (``remove(_:)`` still stops it; rescheduling queues it anew).
    mutating func popDue(now: ContinuousClock.Instant) -> ShardTimer? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        remove(first)
        first.queueIndex = ShardTimer.firing
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            swapEntries(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            var smallest = left
            if right < heap.count, heap[right].deadline < heap[left].deadline { smallest = right }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            swapEntries(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapEntries(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heap[a].queueIndex = a
        heap[b].queueIndex = b
    }
}
