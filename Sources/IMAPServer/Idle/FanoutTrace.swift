#if canImport(Glibc)
import Glibc
#endif
import ShardRuntime
import Synchronization

/// Timeline of IDLE fan-out rounds, for diagnosis (`MAILSHARD_FANOUT_TRACE=path`, read
/// once at start; off by default, when each trace point costs one check of a static
/// flag per fan-out slice, not per idler). Events are stamped with CLOCK_REALTIME, the
/// clock of a client's kernel receive timestamps, so they line up with imap-load's
/// `IMAP_LOAD_ROUND_LOG`: an APPEND's start and its durable commit, each shard's
/// pump start and end (with the shard thread's CPU time and involuntary context
/// switches) and its slices. They are kept in memory and written out, one line
/// each (`what shard time count`), when the next APPEND starts.
/// Benchmarks/results/load-fanout-10000-final.md (session 6) shows what they told.
enum FanoutTrace {
    struct Event {
        var time: UInt64
        var what: StaticString
        var shard: Int
        var count: Int
    }

    private static let file: Int32 = {
        guard let path = getenv("MAILSHARD_FANOUT_TRACE").map({ String(cString: $0) }), !path.isEmpty else { return -1 }
        return open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    }()
    static let enabled = file >= 0
    private static let events = Mutex<[Event]>([])

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    @inline(__always)
    static func note(_ what: StaticString, count: Int = 0) {
        guard enabled else { return }
        let event = Event(time: now(), what: what, shard: Shard.current?.index ?? -1, count: count)
        // Bounded: a server that traces but never sees an APPEND keeps at most this many.
        events.withLock { if $0.count < 100_000 { $0.append(event) } }
    }

    /// The calling thread's CPU time (ns) and involuntary context switches.
    static func threadUsage() -> (cpu: Int, involuntarySwitches: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD
        return (Int(spec.tv_sec) * 1_000_000_000 + Int(spec.tv_nsec), Int(usage.ru_nivcsw))
    }

    static func noteThreadUsage(_ cpu: StaticString, _ switches: StaticString) {
        guard enabled else { return }
        let usage = threadUsage()
        note(cpu, count: usage.cpu)
        note(switches, count: usage.involuntarySwitches)
    }

    /// Writes and forgets what was noted so far (called at the start of an APPEND).
    static func flush() {
        guard enabled else { return }
        let taken = events.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
        var text = ""
        for event in taken { text += "\(event.what) \(event.shard) \(event.time) \(event.count)\n" }
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(file, $0.baseAddress, $0.count) }
    }
}
