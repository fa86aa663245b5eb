#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user + system, every thread) of a process, in nanoseconds: this one's,
/// or another's through its CPU-time clock (`clock_getcpuclockid`). `idle-fanout`
/// reads both around each delivery, which tells what one delivery costs each side
/// far more steadily than latency does on a machine shared with other work.
public struct ProcessCPUClock: Sendable {
    private let clock: clockid_t

    /// This process.
    public init() {
        clock = CLOCK_PROCESS_CPUTIME_ID
    }

    /// Process `pid`; nil when its clock cannot be read (gone, or not permitted).
    public init?(pid: Int32) {
        var clock = clockid_t()
        guard clock_getcpuclockid(pid, &clock) == 0 else { return nil }
        self.clock = clock
        guard nanoseconds() != nil else { return nil }
    }

    /// CPU time used so far; nil when the clock cannot be read (the process ended).
    public func nanoseconds() -> UInt64? {
        var spec = timespec()
        guard clock_gettime(clock, &spec) == 0 else { return nil }
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
