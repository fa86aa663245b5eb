import Glibc

/// Tells a service manager (systemd's `Type=notify`) how the server's life is
/// going: `READY=1` once it accepts connections, `STOPPING=1` when it starts
/// shutting down, and a one-line `STATUS=` that `systemctl status` shows.
///
/// The protocol is one datagram per message to the `AF_UNIX` socket named by
/// `NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace), as
/// sd_notify(3) documents; no libsystemd is needed. Without `NOTIFY_SOCKET`
/// (a terminal, another supervisor) every call does nothing, so `serve` can
/// always notify.
///
///     let notifier = try ServiceManagerNotifier(environment: ProcessInfo.processInfo.environment)
///     try notifier?.send(.ready(status: "serving on 0.0.0.0:143"))
public struct ServiceManagerNotifier: Sendable {
    /// One state change, rendered as sd_notify's newline-separated assignments.
    public enum Message: Equatable, Sendable {
        case ready(status: String)
        case stopping(status: String)
        case status(String)
        /// "Still alive": a manager with `WatchdogSec=` restarts a server that
        /// stops saying it.
        case watchdog

        var datagram: String {
            switch self {
            case .ready(let status): "READY=1\nSTATUS=\(status.singleLine)"
            case .stopping(let status): "STOPPING=1\nSTATUS=\(status.singleLine)"
            case .status(let status): "STATUS=\(status.singleLine)"
            case .watchdog: "WATCHDOG=1"
            }
        }
    }

    /// How often the manager wants `.watchdog`: `WATCHDOG_USEC`, when set for
    /// this process (`WATCHDOG_PID`, if present, names it), as sd_watchdog_enabled(3)
    /// reads it; nil without a watchdog.
    public static func watchdogInterval(environment: [String: String], processID: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != processID { return nil }
        return .microseconds(microseconds)
    }

    /// The socket's address bytes as they go into `sun_path`: a leading `@`
    /// becomes the abstract namespace's NUL.
    let address: [UInt8]

    /// A notifier for the socket `environment["NOTIFY_SOCKET"]` names; nil when
    /// it names none. Throws for a name that can't be an `AF_UNIX` address (a
    /// `vsock:` address or a path longer than `sun_path`), so a misconfigured
    /// unit fails at start rather than timing out waiting for READY.
    public init?(environment: [String: String]) throws {
        guard let name = environment["NOTIFY_SOCKET"], !name.isEmpty else { return nil }
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        } else if bytes.first != UInt8(ascii: "/") {
            throw NotifyError(description: "NOTIFY_SOCKET=\(name) is not a Unix socket path or @abstract name")
        }
        guard bytes.count <= MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 else {
            throw NotifyError(description: "NOTIFY_SOCKET=\(name) is longer than a Unix socket address")
        }
        address = bytes
    }

    /// Sends `message` in one datagram on a socket opened for it. A failure is
    /// thrown for the caller to log: the service manager then times out or
    /// reports the unit, which says more than a server that stops itself.
    public func send(_ message: Message) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NotifyError(errno: errno, doing: "socket") }
        defer { close(descriptor) }

        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
            path.copyBytes(from: address)
        }
        // The abstract namespace counts the address by its length, not a NUL,
        // so the length covers exactly the name's bytes.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count)
        let payload = Array(message.datagram.utf8)
        let sent = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                payload.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), generic, length)
                }
            }
        }
        guard sent == payload.count else { throw NotifyError(errno: errno, doing: "sendto") }
    }
}

/// Why a notification could not be sent or the socket's name is unusable.
public struct NotifyError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(description: String) {
        self.description = description
    }

    init(errno code: Int32, doing call: String) {
        description = "\(call) to NOTIFY_SOCKET failed: \(String(cString: strerror(code)))"
    }
}

private extension String {
    /// sd_notify's assignments are newline-separated: a newline inside a value
    /// would start a new, unintended assignment.
    var singleLine: String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
