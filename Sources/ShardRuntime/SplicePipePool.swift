import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A pipe used as the splice middle: file → pipe → socket. Lent by a shard's
/// `SplicePipePool` to one connection at a time; closes both ends when released.
final class SplicePipe {
    let readEnd: Int32
    let writeEnd: Int32
    let capacity: Int

    init(capacity: Int) throws {
        var ends: [Int32] = [0, 0]
        guard mailshard_pipe_cloexec(&ends) == 0 else { throw SystemError("pipe2", code: errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
        // Refused (EPERM: an unprivileged user past `fs.pipe-user-pages-soft`, or a
        // size over `fs.pipe-max-size`), the pipe keeps the size the kernel gave it,
        // which past the soft limit is 2 pages, not the usual 16: a chunk sized for
        // more would come up short at every pair.
        var granted = mailshard_set_pipe_size(writeEnd, Int32(capacity))
        if granted <= 0 { granted = mailshard_get_pipe_size(writeEnd) }
        self.capacity = granted > 0 ? Int(granted) : 4096
    }

    /// Bytes sitting in the pipe now, asked of the kernel (FIONREAD); for checks only.
    var bufferedBytes: Int { Int(mailshard_pipe_buffered(readEnd)) }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}

/// Counters of one shard's splice pipe pool, for tests and statistics.
struct SplicePipePoolCounts: Sendable, Equatable {
    /// Pipes that exist now: idle in the pool plus lent to connections.
    var live = 0
    /// Pipes idle in the pool now.
    var idle = 0
    /// Pipes created since start.
    var created = 0
    /// Borrows served by an idle pipe (no syscall).
    var reused = 0
    /// Pipes closed instead of returned because they might hold bytes.
    var discarded = 0
    /// Borrows refused (every pipe lent out, or pipe creation failed): that file step
    /// was read and sent as bytes instead.
    var refused = 0
}

/// A shard's splice pipes, lent to its connections one splice step at a time, so a
/// body FETCH costs no pipe2/F_SETPIPE_SZ/close and a burst of fetches on thousands
/// of connections holds at most `limit` pipes (two ordinary descriptors each).
///
/// Invariant: every idle pipe is empty. A borrower gives a pipe back with
/// `giveBack(_:)` only when its own accounting says the pipe holds no byte (checked
/// against the kernel in debug builds); a pipe that may hold bytes (a connection
/// ended or failed mid-range) goes to `discard(_:)` and is closed, so the next
/// borrower never sends another connection's bytes.
///
/// Shard thread only.
final class SplicePipePool {
    let limit: Int
    let pipeCapacity: Int
    private var idle: [SplicePipe] = []
    private var counts = SplicePipePoolCounts()

    init(limit: Int, pipeCapacity: Int) {
        self.limit = limit
        self.pipeCapacity = pipeCapacity
    }

    var snapshot: SplicePipePoolCounts {
        var snapshot = counts
        snapshot.idle = idle.count
        return snapshot
    }

    /// An empty pipe: an idle one, else a new one while fewer than `limit` exist;
    /// nil when every pipe is lent out or the kernel refuses a new one (EMFILE).
    func borrow() -> SplicePipe? {
        if let pipe = idle.popLast() {
            counts.reused += 1
            return pipe
        }
        guard counts.live < limit, let pipe = try? SplicePipe(capacity: pipeCapacity) else {
            counts.refused += 1
            return nil
        }
        counts.live += 1
        counts.created += 1
        return pipe
    }

    /// Takes back a pipe its borrower knows to be empty.
    func giveBack(_ pipe: SplicePipe) {
        assert(pipe.bufferedBytes == 0, "a splice pipe holding bytes went back to the pool")
        idle.append(pipe)
    }

    /// Forgets a lent pipe that may hold bytes; it closes when its last user lets go
    /// (a splice still in flight keeps it open until its completion).
    func discard(_ pipe: SplicePipe) {
        counts.live -= 1
        counts.discarded += 1
    }

    /// Closes the idle pipes (the shard is stopping).
    func closeIdle() {
        counts.live -= idle.count
        idle.removeAll()
    }
}
