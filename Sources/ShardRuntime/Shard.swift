import CURing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One shard: an OS thread that owns an io_uring and runs a serial executor. Actors
/// whose `unownedExecutor` is the shard's, and tasks started with the shard as their
/// executor preference, run on that thread between its ring turns, so their I/O
/// completions and their code share one thread and need no locks.
///
/// State marked "shard thread" below is touched by the shard's thread alone; the
/// remote queue is the only door in from other threads.
public final class Shard: @unchecked Sendable {
    /// The shard's position in its runtime (0-based).
    public let index: Int
    let settings: RuntimeSettings
    let log: @Sendable (String) -> Void

    // Shard thread.
    var ring: IOUring!
    var receiveBuffers: ProvidedBuffers!
    var operations = OperationTable()
    var localWork: [ShardWork] = []
    /// Storage the work loop reuses between turns (`runQueuedWork`): the batch being
    /// run, and the drained remote queue handed back at the next take.
    private var spareWork: [ShardWork] = []
    private var remoteSpare: [ShardWork] = []
    /// Jobs run on this shard since start (shard thread; tests count hops with it).
    var jobsRun = 0
    var connections: [ObjectIdentifier: Connection] = [:]
    var listeners: [Listener] = []
    var stopping = false
    /// Connections accepted here since start (for spread checks and stats).
    var acceptedCount = 0
    /// Receives that found the provided-buffer ring empty and were retried.
    var receiveRetries = 0
    /// Per-connection handler tasks that have not returned yet.
    var runningHandlers = 0
    var drainWaiters: [() -> Void] = []
    /// Slots in this ring's registered file table; 0 when connections use ordinary
    /// descriptors (turned off, or the kernel refused the table).
    var fixedFileCapacity = 0
    /// Slots held by this shard's connections (a hint: the kernel's table is the truth).
    var fixedFilesInUse = 0
    /// Connections that got an ordinary descriptor although fixed files are on
    /// (table full, or the install failed).
    var fixedFileFallbacks = 0
    /// Splice pipes lent to this shard's connections for file ranges.
    let splicePipes: SplicePipePool
    /// The pipe a whole response is assembled in (Connection+WholeResponse): empty
    /// between uses, so one serves every connection of the shard. Made at first use;
    /// `assemblyPipeFailed` once it could not be.
    var assemblyPipe: SplicePipe?
    var assemblyPipeFailed = false
    /// Every ``ShardTimer`` scheduled on this shard (Shard+Timers.swift).
    var timers = ShardTimerQueue()
    private var completions: [IOUring.Completion] = []
    private let wakeBuffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)

    // Any thread.
    let remoteWork = Mutex<[ShardWork]>([])
    let sleeping = Atomic<Bool>(false)
    let exitRequested = Atomic<Bool>(false)
    /// Exit even with handlers still running (after the shutdown deadline).
    let forceExit = Atomic<Bool>(false)
    let exited = Atomic<Bool>(false)
    let wakeFD: Int32
    private var thread: pthread_t?
    /// Ring setup flags the kernel accepted, published once the thread has started.
    let acceptedRingFlags = Atomic<UInt32>(0)
    /// The ring's own descriptor (the target of a MSG_RING), published once started.
    let ringDescriptor = Atomic<Int32>(-1)
    /// `fixedFileCapacity`, published for other shards (moves) and tests.
    let publishedFixedFileCapacity = Atomic<Int>(0)
    /// Work queued here from another shard's thread, from any other thread, and the
    /// eventfd writes that woke this shard (Shard+WakeUps.swift).
    let remoteFromShards = Atomic<Int>(0)
    let remoteFromOtherThreads = Atomic<Int>(0)
    let wakeWrites = Atomic<Int>(0)

    init(index: Int, settings: RuntimeSettings, log: @escaping @Sendable (String) -> Void) throws {
        self.index = index
        self.settings = settings
        self.log = log
        splicePipes = SplicePipePool(limit: settings.splicePipesPerShard, largeCapacity: settings.splicePipeSize)
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw SystemError("eventfd", code: errno) }
    }

    deinit {
        close(wakeFD)
        wakeBuffer.deallocate()
    }

    /// The shard whose thread is running the caller, if any.
    public static var current: Shard? {
        guard let pointer = pthread_getspecific(currentShardKey) else { return nil }
        return Unmanaged<Shard>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// True when called on this shard's thread.
    public var isCurrent: Bool {
        pthread_getspecific(currentShardKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    /// The ring setup flags the kernel accepted (SINGLE_ISSUER, DEFER_TASKRUN, ...).
    public var ringSetupFlags: UInt32 { acceptedRingFlags.load(ordering: .acquiring) }

    // MARK: Thread

    /// Starts the thread; returns once its ring exists (or throws what setup threw).
    func start() throws {
        let start = ThreadStart(shard: self)
        let box = Unmanaged.passRetained(start)
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
            start.shard.threadMain(start)
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw SystemError("pthread_create", code: result)
        }
        thread = handle
        while true {
            let outcome = start.ready.withLock { $0 }
            if let outcome {
                if case .failure(let error) = outcome {
                    join()
                    throw error
                }
                return
            }
            usleep(200)
        }
    }

    /// Waits for the thread to end (after `requestExit`). Never call it on a shard thread.
    func join() {
        precondition(Shard.current == nil, "a shard thread cannot join a shard")
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
    }

    /// Asks the loop to end once it has no connections and no queued work.
    func requestExit() {
        exitRequested.store(true, ordering: .releasing)
        wake()
    }

    private func threadMain(_ start: ThreadStart) {
        let ready = start
        pthread_setspecific(currentShardKey, Unmanaged.passUnretained(self).toOpaque())
        do {
            ring = try IOUring(entries: settings.ringEntries)
            receiveBuffers = try ProvidedBuffers(
                ring: ring, groupID: 1,
                bufferSize: settings.receiveBufferSize, count: settings.receiveBufferCount)
            if settings.pinThreads {
                let cpu = Int32(index % RuntimeSettings.onlineCPUs)
                _ = mailshard_pin_current_thread(cpu)
                _ = mailshard_pin_iowq(ring.ring, cpu)
            }
            acceptedRingFlags.store(ring.setupFlags, ordering: .releasing)
            ringDescriptor.store(ring.ring.pointee.ring_fd, ordering: .releasing)
            registerFixedFiles()
        } catch let error as SystemError {
            ready.ready.withLock { $0 = .failure(error) }
            return
        } catch {
            ready.ready.withLock { $0 = .failure(SystemError("shard setup", code: EINVAL)) }
            return
        }
        ready.ready.withLock { $0 = .success(()) }
        armWakeRead()
        runLoop()
        splicePipes.closeIdle()
        receiveBuffers.release(from: ring)
        receiveBuffers = nil
        ring = nil
        // Only now: a send the kernel still held kept its connection, and so the bytes
        // it points into, alive until the ring was gone.
        operations.releaseSenders()
        pthread_setspecific(currentShardKey, nil)
    }

    /// One turn: run queued work (bounded), then one `io_uring_enter` that submits
    /// everything the work queued and, if there is nothing left to run, waits.
    private func runLoop() {
        completions.reserveCapacity(256)
        while true {
            runQueuedWork()
            if exitRequested.load(ordering: .acquiring) && (forceExit.load(ordering: .acquiring)
                || (connections.isEmpty && runningHandlers == 0 && localWork.isEmpty
                    && remoteWork.withLock({ $0.isEmpty }))) {
                exited.store(true, ordering: .releasing)
                return
            }
            var wait = false
            if localWork.isEmpty {
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if remoteWork.withLock({ $0.isEmpty }) {
                    wait = true
                } else {
                    sleeping.store(false, ordering: .sequentiallyConsistent)
                }
            }
            ring.enter(wait: wait)
            if wait { sleeping.store(false, ordering: .sequentiallyConsistent) }
            dispatchCompletions()
        }
    }

    private func runQueuedWork() {
        var budget = settings.jobsPerTurn
        takeRemoteWork()
        // The batch and the local queue trade storage and both keep their capacity
        // (`spareWork` holds the batch's between turns): a turn allocates nothing.
        // A fresh batch per turn cost a malloc and a free per turn, several per
        // FETCH (Benchmarks/results/load-bodies.md, session 6).
        var batch: [ShardWork] = []
        swap(&batch, &spareWork)
        while !localWork.isEmpty && budget > 0 {
            swap(&batch, &localWork)
            var position = 0
            while position < batch.count && budget > 0 {
                batch[position].run(on: self)
                position += 1
                budget -= 1
            }
            if position < batch.count {
                // Out of budget: keep the rest, in order, ahead of what arrived meanwhile.
                localWork.insert(contentsOf: batch[position...], at: 0)
            }
            batch.removeAll(keepingCapacity: true)
        }
        swap(&batch, &spareWork)
    }

    /// Moves work queued from other threads to the local queue. The lock is taken
    /// once; an empty remote queue costs nothing more, and a full one is swapped
    /// with the drained array kept from the last time (`remoteSpare`), so neither
    /// side allocates: `removeAll(keepingCapacity:)` on an array also referenced
    /// elsewhere allocates a new buffer of the same capacity, which the copy-then-
    /// clear this replaces did on every turn.
    private func takeRemoteWork() {
        var taken = remoteSpare
        remoteSpare = []
        remoteWork.withLock { queue in
            if !queue.isEmpty { swap(&taken, &queue) }
        }
        localWork.append(contentsOf: taken)
        taken.removeAll(keepingCapacity: true)
        remoteSpare = taken
    }

    private func dispatchCompletions() {
        while true {
            completions.removeAll(keepingCapacity: true)
            ring.reap(into: &completions)
            if completions.isEmpty { return }
            // The connections whose sends completed are cold (the kernel's work on the
            // batch evicted them): their misses are started together first.
            for completion in completions where completion.userData != 0 {
                operations.sender(for: completion.userData)?._withUnsafeGuaranteedRef { $0.prefetchForWrite() }
            }
            for completion in completions where completion.userData != 0 {
                if let sender = operations.sender(for: completion.userData) {
                    // The table holds the connection until the remove below.
                    sender._withUnsafeGuaranteedRef { $0.sendCompleted(completion.result, isFile: false) }
                    operations.remove(completion.userData)
                    continue
                }
                guard let handler = operations.handler(for: completion.userData) else { continue }
                if handler(completion.result, completion.flags) {
                    operations.remove(completion.userData)
                }
            }
        }
    }

    // MARK: Waking

    /// Keeps one read armed on the eventfd so a write from another thread ends a wait.
    private func armWakeRead() {
        submit({ sqe in io_uring_prep_read(sqe, self.wakeFD, self.wakeBuffer, 8, 0) }) { _, _ in
            self.armWakeRead()
            return true
        }
    }

    func wake() {
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            wakeWrites.add(1, ordering: .relaxed)
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    // MARK: Work from anywhere

    /// Runs `body` on the shard thread: at once when already there, otherwise queued.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        if isCurrent {
            body()
        } else {
            enqueueRemote(.call(body))
        }
    }

    /// Queues `body` to run on the shard thread in a later turn, even from the shard itself.
    public func schedule(_ body: @escaping @Sendable () -> Void) {
        if isCurrent {
            localWork.append(.call(body))
        } else {
            enqueueRemote(.call(body))
        }
    }

    func enqueueRemote(_ work: ShardWork) {
        if Shard.current != nil {
            remoteFromShards.add(1, ordering: .relaxed)
        } else {
            remoteFromOtherThreads.add(1, ordering: .relaxed)
        }
        remoteWork.withLock { $0.append(work) }
        wake()
    }

    /// Runs `body` on this shard and returns its result: the way to do work on a
    /// chosen shard (for example a user's home shard) from anywhere.
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async rethrows -> T {
        try await withTaskExecutorPreference(self) { try await body() }
    }

    // MARK: Operations (shard thread)

    /// Queues one submission entry; `completion` runs on the shard thread for each of
    /// its completions and returns true when no more will come (multishot ops return
    /// false while IORING_CQE_F_MORE is set). Returns the operation id for cancelling.
    @discardableResult
    func submit(
        _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void,
        completion: @escaping (Int32, UInt32) -> Bool
    ) -> UInt64 {
        assert(isCurrent)
        let sqe = ring.nextEntry()
        prepare(sqe)
        let id = operations.insert(completion)
        io_uring_sqe_set_data64(sqe, id)
        return id
    }

    /// Queues `connection`'s byte send; its completion goes to the connection's
    /// `sendCompleted(_:isFile: false)` (``OperationTable/insertSend(of:)``).
    @discardableResult
    func submitSend(of connection: Connection, _ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void) -> UInt64 {
        assert(isCurrent)
        let sqe = ring.nextEntry()
        prepare(sqe)
        let id = operations.insertSend(of: connection)
        io_uring_sqe_set_data64(sqe, id)
        return id
    }

    /// Queues a submission whose completion nobody waits for (cancel, shutdown, close).
    func submitUnobserved(_ prepare: (UnsafeMutablePointer<io_uring_sqe>) -> Void) {
        assert(isCurrent)
        let sqe = ring.nextEntry()
        prepare(sqe)
        io_uring_sqe_set_data64(sqe, 0)
    }

    /// Asks the kernel to cancel operation `id` if it is still pending.
    func cancelOperation(_ id: UInt64) {
        guard operations.contains(id) else { return }
        submitUnobserved { sqe in io_uring_prep_cancel64(sqe, id, 0) }
    }

    /// Resumes everyone waiting for this shard to have no connections left.
    func connectionRemoved() {
        if connections.isEmpty {
            let waiters = drainWaiters
            drainWaiters.removeAll()
            for waiter in waiters { waiter() }
        }
    }
}

/// A unit of work queued on a shard: a job of a task or actor, or a plain call.
/// Unchecked: calls from other threads arrive through the `@Sendable` entry points
/// (`execute`, `schedule`); non-Sendable calls are only queued by the shard's own
/// thread, and every call runs on it.
enum ShardWork: @unchecked Sendable {
    case job(UnownedJob)
    case call(() -> Void)

    func run(on shard: Shard) {
        switch self {
        // Run as both the serial executor and the task executor: the runtime then knows
        // a task that prefers this shard (every session and command task does) is
        // already where it wants to be, and its hops onto actors isolated to the shard
        // (`swift_task_switch`) continue inline. Run as the serial executor alone, the
        // runtime saw no task executor in place, judged such a hop a change of task
        // executor and enqueued the task again: a job, a malloc and a turn, three
        // times per FETCH (Benchmarks/results/load-bodies.md, session 6).
        case .job(let job):
            shard.jobsRun &+= 1
            job.runSynchronously(isolatedTo: shard.asUnownedSerialExecutor(), taskExecutor: shard.asUnownedTaskExecutor())
        case .call(let body): body()
        }
    }
}

/// What the starting thread and the new shard thread share until setup is done.
private final class ThreadStart: Sendable {
    let shard: Shard
    let ready = Mutex<Result<Void, SystemError>?>(nil)

    init(shard: Shard) {
        self.shard = shard
    }
}

/// The thread-local slot naming the shard that runs on a thread. A pthread key, not
/// `pthread_self()`, which glibc declares `const` and the optimizer may hoist across
/// suspension points.
let currentShardKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0)
    return key
}()
