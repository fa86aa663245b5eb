#if canImport(Glibc)
import Glibc
#endif

/// Fixes the process's time zone once, at start.
///
/// With `TZ` unset, glibc's `tzset` (called by `strftime` for every log line's
/// timestamp) looks at `/etc/localtime` again each time: one `stat` per log line,
/// one per LOGIN on a busy server. With `TZ` set, it sees the same value as last
/// time and returns. `:/etc/localtime` is what glibc reads when `TZ` is unset, so
/// timestamps stay the same; a change of the system's zone is seen at the next
/// restart instead of at once. An operator's own `TZ` is kept.
enum LocalTimeZone {
    /// Call before any thread might read the environment (setenv is not thread-safe).
    static func pin() {
        guard getenv("TZ") == nil else { return }
        setenv("TZ", ":/etc/localtime", 0)
        tzset()
    }
}
