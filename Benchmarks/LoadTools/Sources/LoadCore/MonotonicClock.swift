#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time for latency measurement (never the wall clock, which may step).
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func microseconds(since start: UInt64) -> UInt64 {
        (nanoseconds() &- start) / 1000
    }

    public static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() &- start) / 1e9
    }
}
