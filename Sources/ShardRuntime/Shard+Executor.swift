/// The shard as an executor: a `SerialExecutor` so actors can be isolated to it
/// (return `shard.asUnownedSerialExecutor()` from `unownedExecutor`), and a
/// `TaskExecutor` so tasks and nonisolated code can prefer it. Jobs from the shard's
/// own thread go on its local queue; jobs from elsewhere go through the remote queue
/// and wake the ring.
extension Shard: SerialExecutor, TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let work = ShardWork.job(UnownedJob(job))
        if isCurrent {
            localWork.append(work)
        } else {
            enqueueRemote(work)
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    public func isSameExclusiveExecutionContext(other: Shard) -> Bool {
        self === other
    }

    public func checkIsolated() {
        precondition(isCurrent, "not running on shard \(index)")
    }

    public func isIsolatingCurrentContext() -> Bool? {
        isCurrent
    }
}
