#if canImport(Glibc)
import Glibc
#endif

/// A blocking, line-oriented IMAP client for transcript tests: it sends client
/// lines and reads server lines exactly as they arrive. Independent of the
/// server's code; every read has a timeout so a broken server fails a test
/// instead of hanging it. Used by one task at a time; async tests read through
/// ``nextLine()``, which blocks a thread of its own rather than one of the
/// cooperative pool the server's store work needs.
final class TranscriptClient: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []
    /// Stream layers of the client's own (COMPRESS): applied to everything sent
    /// after they are set, and to every received chunk.
    var outboundFilter: ((_ bytes: [UInt8]) throws -> [UInt8])?
    var inboundFilter: ((_ bytes: [UInt8]) throws -> [UInt8])?

    init(port: Int, host: UInt32 = 0x7f00_0001, timeoutSeconds: Int = 20) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = host.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            // No close here: every stored property is set, so deinit runs after
            // this throw and closes the descriptor. Closing it twice closed
            // whatever another test had opened under the same number meanwhile
            // (a mailbox journal: "fdatasync failed: EBADF").
            throw Failure(description: "connect to port \(port): errno \(code)")
        }
    }

    deinit { close(descriptor) }

    /// Drops the connection as a client that goes away would (both directions).
    func disconnect() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Sends `line` followed by CRLF.
    func send(_ line: String) throws {
        try sendRaw(Array((line + "\r\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) throws {
        try sendUnfiltered(outboundFilter?(bytes) ?? bytes)
    }

    /// Sends `bytes` as they are, past `outboundFilter` (a TLS layer's replies).
    func sendUnfiltered(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            done += sent
        }
    }

    /// The next server line without its CRLF; nil when the server closed the
    /// connection (or the read timed out) before a whole line arrived.
    func readLine() -> String? {
        while true {
            if let lf = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<lf])
                pending.removeSubrange(...lf)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard receiveChunk() else { return nil }
        }
    }

    /// Appends the next received bytes (through `inboundFilter`) to `pending`;
    /// false once the server closed, the read timed out or the filter failed.
    private func receiveChunk() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if got <= 0 { return false }
        guard let inboundFilter else {
            pending.append(contentsOf: chunk[0..<got])
            return true
        }
        guard let decoded = try? inboundFilter(Array(chunk[0..<got])) else { return false }
        pending.append(contentsOf: decoded)
        return true
    }

    /// The next `count` bytes exactly as they arrive (a FETCH with its literals);
    /// fewer when the server closed the connection or the read timed out.
    func readBytes(_ count: Int) -> [UInt8] {
        while pending.count < count {
            guard receiveChunk() else { break }
        }
        let taken = Array(pending.prefix(count))
        pending.removeFirst(taken.count)
        return taken
    }

    /// Puts decoded bytes that arrived with a handshake ahead of what follows.
    func prepend(_ bytes: [UInt8]) {
        pending = bytes + pending
    }

    /// Bytes of one recv, unfiltered; empty at the end of the stream or on the timeout.
    func receiveUnfiltered() -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return got > 0 ? Array(chunk[0..<got]) : []
    }

    /// Whether the server has closed the connection (reads end of stream).
    func isClosedByServer() -> Bool {
        readLine() == nil && pending.isEmpty
    }
}

import Foundation

extension TranscriptClient {
    /// ``readLine()`` on a dedicated thread.
    func nextLine() async -> String? {
        await Self.offPool { self.readLine() }
    }

    /// ``readBytes(_:)`` on a dedicated thread.
    func nextBytes(_ count: Int) async -> [UInt8] {
        await Self.offPool { self.readBytes(count) }
    }

    /// ``isClosedByServer()`` on a dedicated thread.
    func closedByServer() async -> Bool {
        await Self.offPool { self.isClosedByServer() }
    }

    /// Runs blocking socket work on its own thread: a test blocking a thread of the
    /// cooperative pool (two of them on a 2-core machine) would starve the server.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }
}
