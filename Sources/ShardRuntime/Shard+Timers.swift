import CURing
#if canImport(Glibc)
import Glibc
#endif

/// Driving the shard's ``ShardTimer``s: one ring timeout armed for the earliest
/// deadline; when it fires, every timer then due runs and the next one is armed.
extension Shard {
    /// Timers due this close after the armed timeout fire with it instead of arming
    /// their own: fewer wake-ups when many deadlines cluster, at the cost of firing
    /// up to this late.
    static let timerCoalescing: Duration = .milliseconds(5)

    func scheduleTimer(_ timer: ShardTimer, at deadline: ContinuousClock.Instant) {
        assert(isCurrent)
        timer.deadline = deadline
        timers.insertOrUpdate(timer)
        armTimerTimeout()
    }

    func cancelTimer(_ timer: ShardTimer) {
        assert(isCurrent)
        timers.remove(timer)
        // An armed timeout that finds nothing due only re-arms: no need to cancel it.
    }

    /// Timers waiting to fire on this shard (tests, metrics).
    public var scheduledTimerCount: Int {
        assert(isCurrent)
        return timers.count
    }

    /// Arms a ring timeout for the earliest deadline unless one already fires soon
    /// enough for it.
    private func armTimerTimeout() {
        guard let earliest = timers.earliest?.deadline else { return }
        if let armed = timers.armedFireTime, armed <= earliest + Self.timerCoalescing { return }
        timers.armGeneration &+= 1
        let generation = timers.armGeneration
        timers.armedFireTime = earliest
        // The timeout this one supersedes would only wake the loop for nothing.
        if let superseded = timers.armedOperation { cancelOperation(superseded) }
        let timespec = TimespecBox(max(.zero, ContinuousClock.now.duration(to: earliest)))
        timers.armedOperation = submit({ sqe in io_uring_prep_timeout(sqe, timespec.pointer, 0, 0) }) { result, _ in
            _ = timespec
            guard self.timers.armGeneration == generation else { return true }
            self.timers.armedFireTime = nil
            self.timers.armedOperation = nil
            // Cancelled only when superseded (handled above) or at shutdown.
            if result != -ECANCELED { self.fireDueTimers() }
            return true
        }
    }

    private func fireDueTimers() {
        let now = ContinuousClock.now
        // Bounded by what was due on entry: an action that reschedules its timer
        // for `now` or earlier fires on the next turn, not in a loop here.
        var due: [ShardTimer] = []
        while let timer = timers.popDue(now: now) { due.append(timer) }
        for timer in due {
            // An earlier action in this batch may have cancelled or rescheduled it.
            guard timer.queueIndex == ShardTimer.firing else { continue }
            timer.queueIndex = ShardTimer.notQueued
            timer.action?()
        }
        armTimerTimeout()
    }
}
