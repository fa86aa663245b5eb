#if canImport(Glibc)
import Glibc
#endif

/// The scheduling class of the calling thread: `idle` (SCHED_IDLE) runs it only when no
/// normal thread wants the core, so a client reading on the server's own machine takes
/// no core the server could use; `normal` is SCHED_OTHER at nice 0.
public enum ThreadPriority: String, Sendable, CaseIterable {
    case normal
    case idle

    /// SCHED_OTHER and SCHED_IDLE (linux/sched.h; SCHED_IDLE is not in Glibc's Swift module).
    private var policy: Int32 { self == .idle ? 5 : 0 }

    /// Moves the calling thread (not its process) into this class.
    public func applyToCurrentThread() throws(LoadError) {
        var parameters = sched_param(sched_priority: 0)
        guard sched_setscheduler(0, policy, &parameters) == 0 else {
            throw LoadError("priority", "sched_setscheduler(\(rawValue)): \(String(cString: strerror(errno)))")
        }
    }

    /// The calling thread's class, or nil for another one (real-time, batch).
    public static func ofCurrentThread() -> ThreadPriority? {
        switch sched_getscheduler(0) {
        case 0: .normal
        case 5: .idle
        default: nil
        }
    }
}
