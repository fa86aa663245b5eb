#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Threads of their own for SEARCH chunks. A chunk runs for milliseconds (seconds
/// in a debug build) without a suspension point; on the global concurrent executor
/// (one thread per core) two such chunks would hold every one of its threads, and
/// the short off-shard work that shares it (password hashing at LOGIN, detached
/// tasks) would wait behind them. Here the kernel shares the cores between these
/// threads, the shards and the global pool instead.
///
/// At most `limit` threads, started when jobs wait and none is free, and ended
/// after `idleExit` without work, so a server that does not search holds none.
/// `SearchScheduler` bounds how many chunks run at once; this bounds threads.
///
/// Invariant: `lock` and `wake` are allocated and initialised in `init` and live
/// as long as the object; the thread loops hold a strong reference to it, so it
/// outlives them. `pending`, `threads`, `idle`, `signalled` and `members` are only
/// touched with `lock` held.
public final class SearchThreads: TaskExecutor, @unchecked Sendable {
    public let limit: Int
    private let idleExit: Int32
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending = ArrayQueue<UnownedJob>()
    private var threads = 0
    private var idle = 0
    /// Idle threads already signalled for a job: each waiting thread is counted on
    /// for one job only, so a burst of jobs starts threads instead of queueing them
    /// all behind one sleeper.
    private var signalled = 0
    /// The threads alive now.
    private var members: [pthread_t] = []

    /// Up to `limit` threads (at least one), each ending after `idleExitSeconds`
    /// without a job.
    public init(limit: Int, idleExitSeconds: Int = 5) {
        self.limit = max(1, limit)
        idleExit = Int32(max(1, idleExitSeconds))
        pthread_mutex_init(lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(lock)
        wake.deallocate()
        lock.deallocate()
    }

    /// Threads alive now (tests).
    public var liveThreads: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return threads
    }

    /// Whether the caller runs on one of these threads (tests, checks).
    public var isCurrent: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return members.contains { pthread_equal($0, pthread_self()) != 0 }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(lock)
        pending.append(job)
        var startThread = false
        if idle > signalled {
            signalled += 1
            pthread_cond_signal(wake)
        } else if threads < limit {
            threads += 1
            startThread = true
        }
        pthread_mutex_unlock(lock)
        if startThread && !spawn() {
            // No thread could be made: run it here rather than strand it. The
            // caller is an executor's enqueue, so this is rare and only slower.
            pthread_mutex_lock(lock)
            threads -= 1
            let stranded = pending.takeAll()
            pthread_mutex_unlock(lock)
            for job in stranded { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    private func spawn() -> Bool {
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let threads = Unmanaged<SearchThreads>.fromOpaque(argument!).takeRetainedValue()
            threads.serve()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            return false
        }
        pthread_detach(handle)
        return true
    }

    /// One thread's life: run jobs until none has come for `idleExit` seconds.
    private func serve() {
        pthread_mutex_lock(lock)
        members.append(pthread_self())
        while true {
            if let job = pending.popFirst() {
                pthread_mutex_unlock(lock)
                job.runSynchronously(on: asUnownedTaskExecutor())
                pthread_mutex_lock(lock)
                continue
            }
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            deadline.tv_sec += Int(idleExit)
            idle += 1
            let waited = pthread_cond_timedwait(wake, lock, &deadline)
            idle -= 1
            if signalled > 0 { signalled -= 1 }
            if waited == ETIMEDOUT && pending.isEmpty {
                threads -= 1
                members.removeAll { pthread_equal($0, pthread_self()) != 0 }
                pthread_mutex_unlock(lock)
                return
            }
        }
    }
}
