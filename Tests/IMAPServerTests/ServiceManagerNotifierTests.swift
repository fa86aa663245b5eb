import Foundation
import Glibc
import Testing
@testable import IMAPServer

@Suite("Service manager notifications (sd_notify)")
struct ServiceManagerNotifierTests {
    @Test("no NOTIFY_SOCKET, or an empty one, means nobody to tell")
    func absentSocket() throws {
        #expect(try ServiceManagerNotifier(environment: [:]) == nil)
        #expect(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test("names that are not AF_UNIX addresses are refused at start",
          arguments: ["vsock:2:1234", "relative/notify", String(repeating: "/x", count: 60)])
    func unusableNames(name: String) {
        #expect(throws: NotifyError.self) { try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": name]) }
    }

    @Test("each message arrives as one datagram, newlines in the status folded",
          arguments: [
              (ServiceManagerNotifier.Message.ready(status: "serving IMAP on 127.0.0.1:1143"),
               "READY=1\nSTATUS=serving IMAP on 127.0.0.1:1143"),
              (.stopping(status: "stopping:\nSIGTERM"), "STOPPING=1\nSTATUS=stopping: SIGTERM"),
              (.status("3 shards"), "STATUS=3 shards"),
              (.watchdog, "WATCHDOG=1"),
          ])
    func pathSocket(message: ServiceManagerNotifier.Message, expected: String) throws {
        let path = FileManager.default.temporaryDirectory.path + "/notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try DatagramReceiver(address: Array(path.utf8))
        defer { unlink(path) }
        let notifier = try #require(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": path]))
        try notifier.send(message)
        #expect(try receiver.receive() == expected)
    }

    @Test("an @name is the abstract namespace, counted by its length")
    func abstractSocket() throws {
        let name = "mailshard-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try DatagramReceiver(address: [0] + Array(name.utf8))
        let notifier = try #require(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": "@" + name]))
        try notifier.send(.ready(status: "up"))
        #expect(try receiver.receive() == "READY=1\nSTATUS=up")
    }

    @Test("WATCHDOG_USEC asks for the watchdog, unless WATCHDOG_PID names another process")
    func watchdogInterval() {
        #expect(ServiceManagerNotifier.watchdogInterval(environment: [:]) == nil)
        #expect(ServiceManagerNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(ServiceManagerNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(ServiceManagerNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "soon"]) == nil)
        let mine = ["WATCHDOG_USEC": "500000", "WATCHDOG_PID": "\(getpid())"]
        #expect(ServiceManagerNotifier.watchdogInterval(environment: mine) == .milliseconds(500))
        let another = ["WATCHDOG_USEC": "500000", "WATCHDOG_PID": "\(getpid() + 1)"]
        #expect(ServiceManagerNotifier.watchdogInterval(environment: another) == nil)
    }

    @Test("a socket nobody listens on is reported, not ignored")
    func nobodyListening() throws {
        let path = FileManager.default.temporaryDirectory.path + "/notify-missing-\(getpid())"
        let notifier = try #require(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": path]))
        #expect(throws: NotifyError.self) { try notifier.send(.ready(status: "up")) }
    }
}

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
/// `address` is the `sun_path` bytes (a leading NUL for the abstract namespace).
private final class DatagramReceiver {
    let descriptor: Int32

    init(address: [UInt8]) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NotifyError(errno: errno, doing: "socket") }
        // Bounded wait: a datagram that never comes fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: address) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw NotifyError(errno: errno, doing: "bind")
        }
    }

    deinit { close(descriptor) }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { throw NotifyError(errno: errno, doing: "recv") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
