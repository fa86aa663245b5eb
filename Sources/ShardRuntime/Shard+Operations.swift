import CURing
#if canImport(Glibc)
import Glibc
#endif

/// Shard-thread bookkeeping for one awaited operation: whether it was cancelled before
/// it reached the ring, and its id once it did. Touched only on the shard thread.
final class PendingOperation: @unchecked Sendable {
    var id: UInt64?
    var cancelled = false
}

extension Shard {
    /// Submits one operation on this shard from any context, waits for its (single)
    /// completion, and returns what `complete` makes of it. `prepare` and `complete`
    /// run on the shard thread; `complete` runs exactly once, also after a cancellation
    /// (it then usually sees -ECANCELED), so it can release what the operation used.
    /// Cancelling the waiting task cancels the operation in the kernel.
    nonisolated(nonsending) func perform<T: Sendable>(
        _ prepare: @escaping @Sendable (UnsafeMutablePointer<io_uring_sqe>) -> Void,
        complete: @escaping @Sendable (Int32, UInt32) -> T,
        cancelled: @escaping @Sendable () -> T
    ) async -> T {
        let pending = PendingOperation()
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<T, Never>) in
                self.execute {
                    if pending.cancelled {
                        continuation.resume(returning: cancelled())
                        return
                    }
                    pending.id = self.submit(prepare) { result, flags in
                        pending.id = nil
                        continuation.resume(returning: complete(result, flags))
                        return true
                    }
                }
            }
        } onCancel: {
            self.execute {
                pending.cancelled = true
                if let id = pending.id { self.cancelOperation(id) }
            }
        }
    }

    /// Suspends for `duration` using a ring timeout. Throws `CancellationError` when
    /// the task is cancelled first.
    public nonisolated(nonsending) func sleep(for duration: Duration) async throws {
        let timespec = TimespecBox(duration)
        let result = await perform({ sqe in
            io_uring_prep_timeout(sqe, timespec.pointer, 0, 0)
        }, complete: { result, _ in
            _ = timespec
            return result
        }, cancelled: { -ECANCELED })
        if result == -ECANCELED { throw CancellationError() }
    }

    /// `fsync(2)` of `descriptor` (`fdatasync(2)` when `dataOnly`) as an
    /// `IORING_OP_FSYNC` on this shard's ring, so flushes issued in one loop turn
    /// share one `io_uring_enter`. Returns 0 or a negative errno. Deliberately not
    /// cancellable: a durable write's flush finishes whatever its task does, or the
    /// writers that share it would see a failure that is not the disk's.
    public nonisolated(nonsending) func sync(descriptor: Int32, dataOnly: Bool) async -> Int32 {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Int32, Never>) in
            self.execute {
                self.submit({ sqe in
                    io_uring_prep_fsync(sqe, descriptor, dataOnly ? UInt32(IORING_FSYNC_DATASYNC) : 0)
                }) { result, _ in
                    continuation.resume(returning: result)
                    return true
                }
            }
        }
    }

    /// Runs `body` on the shard thread after `delay` (a ring timeout, no task).
    func after(_ delay: Duration, _ body: @escaping () -> Void) {
        let timespec = TimespecBox(delay)
        submit({ sqe in io_uring_prep_timeout(sqe, timespec.pointer, 0, 0) }) { _, _ in
            _ = timespec
            body()
            return true
        }
    }

    /// Waits until this shard has no connections left, or `deadline` passes.
    func waitForConnectionsToDrain(deadline: Duration) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            self.execute {
                if self.connections.isEmpty {
                    continuation.resume()
                    return
                }
                var resumed = false
                let resumeOnce = {
                    if !resumed {
                        resumed = true
                        continuation.resume()
                    }
                }
                self.drainWaiters.append(resumeOnce)
                self.after(deadline, resumeOnce)
            }
        }
    }
}

/// A kernel timespec at a stable address for as long as a timeout operation needs it.
final class TimespecBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<__kernel_timespec>

    init(_ duration: Duration) {
        pointer = .allocate(capacity: 1)
        let (seconds, attoseconds) = duration.components
        pointer.initialize(to: __kernel_timespec(
            tv_sec: max(0, seconds),
            tv_nsec: seconds < 0 ? 0 : attoseconds / 1_000_000_000))
    }

    deinit { pointer.deallocate() }
}
