import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A pipe used as the splice middle: file → pipe → socket. Lent by a shard's
/// `SplicePipePool` to one connection at a time; closes both ends when released.
final class SplicePipe {
    let readEnd: Int32
    let writeEnd: Int32
    /// The pipe's size as the kernel has it: the most one splice pair moves.
    private(set) var capacity: Int

    init(capacity: Int) throws {
        var ends: [Int32] = [0, 0]
        guard mailshard_pipe_cloexec(&ends) == 0 else { throw SystemError("pipe2", code: errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
        self.capacity = 0
        resize(to: capacity)
    }

    /// Asks the kernel for `size` bytes (F_SETPIPE_SZ; shrinking needs an empty pipe).
    /// Refused (EPERM: an unprivileged user past `fs.pipe-user-pages-soft`, or a size
    /// over `fs.pipe-max-size`), the pipe keeps the size it has, which for a pipe
    /// created past the soft limit is 2 pages, not the usual 16: `capacity` is what
    /// the kernel reports, so a chunk is never sized for more than fits.
    func resize(to size: Int) {
        var granted = mailshard_set_pipe_size(writeEnd, Int32(clamping: size))
        if granted <= 0 { granted = mailshard_get_pipe_size(writeEnd) }
        capacity = granted > 0 ? Int(granted) : 4096
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
    /// Borrows whose pipe was grown to the large size for a large range.
    var grown = 0
    /// Pipes lent out at more than the base size now (grown for a large range): only
    /// these count the large size against the server user's pipe accounting.
    var large = 0
}

/// A shard's splice pipes, lent to its connections one splice step at a time, so a
/// body FETCH costs no pipe2/close and a burst of fetches on thousands of connections
/// holds at most `limit` pipes (two ordinary descriptors each).
///
/// Pipes idle at `baseCapacity`; a borrower with more than that to move gets its pipe
/// grown to `largeCapacity` (each splice pair is a trip between an io-wq worker and
/// the shard's ring, so a 10 MiB body wants few, large pairs), and the pool shrinks it
/// back when it is returned. So only steps in flight count the large size against the
/// server user's `fs.pipe-user-pages-soft`, and where the kernel refuses to grow a
/// pipe it simply stays at the base size.
///
/// Invariant: every idle pipe is empty and at most `baseCapacity`. A borrower gives a
/// pipe back with `giveBack(_:)` only when its own accounting says the pipe holds no
/// byte (checked against the kernel in debug builds); a pipe that may hold bytes (a
/// connection ended or failed mid-range) goes to `discard(_:)` and is closed, so the
/// next borrower never sends another connection's bytes.
///
/// Shard thread only.
final class SplicePipePool {
    let limit: Int
    let baseCapacity: Int
    let largeCapacity: Int
    private var idle: [SplicePipe] = []
    private var counts = SplicePipePoolCounts()

    /// Pipes idle at the kernel's default size (64 KiB), or at `largeCapacity` if smaller.
    init(limit: Int, largeCapacity: Int) {
        self.limit = limit
        self.largeCapacity = largeCapacity
        baseCapacity = min(largeCapacity, 65536)
    }

    var snapshot: SplicePipePoolCounts {
        var snapshot = counts
        snapshot.idle = idle.count
        return snapshot
    }

    /// An empty pipe for a step with `bytes` left to move: an idle one, else a new one
    /// while fewer than `limit` exist, grown when `bytes` is more than it holds; nil
    /// when every pipe is lent out or the kernel refuses a new one (EMFILE).
    func borrow(forBytes bytes: Int) -> SplicePipe? {
        let pipe: SplicePipe
        if let reused = idle.popLast() {
            counts.reused += 1
            pipe = reused
        } else {
            guard counts.live < limit, let created = try? SplicePipe(capacity: baseCapacity) else {
                counts.refused += 1
                return nil
            }
            counts.live += 1
            counts.created += 1
            pipe = created
        }
        if bytes > pipe.capacity && largeCapacity > pipe.capacity {
            pipe.resize(to: largeCapacity)
            if pipe.capacity > baseCapacity {
                counts.grown += 1
                counts.large += 1
            }
        }
        return pipe
    }

    /// Takes back a pipe its borrower knows to be empty, shrunk to the base size.
    func giveBack(_ pipe: SplicePipe) {
        assert(pipe.bufferedBytes == 0, "a splice pipe holding bytes went back to the pool")
        if pipe.capacity > baseCapacity {
            pipe.resize(to: baseCapacity)
            counts.large -= 1
            // An empty pipe always shrinks; should the kernel refuse, the pipe is
            // dropped rather than kept large.
            guard pipe.capacity <= baseCapacity else {
                counts.live -= 1
                return
            }
        }
        idle.append(pipe)
    }

    /// Forgets a lent pipe that may hold bytes; it closes when its last user lets go
    /// (a splice still in flight keeps it open until its completion).
    func discard(_ pipe: SplicePipe) {
        counts.live -= 1
        counts.discarded += 1
        if pipe.capacity > baseCapacity { counts.large -= 1 }
    }

    /// Closes the idle pipes (the shard is stopping).
    func closeIdle() {
        counts.live -= idle.count
        idle.removeAll()
    }
}
