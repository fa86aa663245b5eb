import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// A plain blocking TCP client for the tests, independent of the runtime under test.
/// Every receive has a timeout so a broken server fails a test instead of hanging it.
final class LoopbackClient {
    let descriptor: Int32

    init(port: UInt16, receiveTimeoutSeconds: Int = 20) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError("socket", code: errno) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
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
            throw SystemError("connect", code: code)
        }
    }

    deinit { close(descriptor) }

    /// Shrinks the kernel receive buffer (set before the peer sends much).
    func setReceiveBuffer(_ bytes: Int32) {
        var size = bytes
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw SystemError("send", code: errno) }
            done += sent
        }
    }

    /// Receives exactly `count` bytes, or fewer if the peer closes or the timeout hits.
    func receive(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < count {
            let wanted = min(chunk.count, count - result.count)
            let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, wanted, 0) }
            if got <= 0 { break }
            result.append(contentsOf: chunk[0..<got])
        }
        return result
    }

    /// Receives until the peer closes (or `limit` bytes, or the timeout).
    func receiveUntilClosed(limit: Int = 1 << 20) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            result.append(contentsOf: chunk[0..<got])
        }
        return result
    }
}

/// Lets a test open hundreds of sockets whatever the shell's soft limit.
func raiseOpenFileLimit(to wanted: rlim_t = 65536) {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < wanted {
        limit.rlim_cur = min(wanted, limit.rlim_max)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Deterministic test bytes: `count` bytes seeded by `seed`.
func pattern(_ seed: Int, count: Int) -> [UInt8] {
    var state = UInt64(truncatingIfNeeded: seed &* 2_654_435_761 &+ 1)
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// Test settings: small rings and buffers, no pinning (the tests share the machine).
func testSettings(shards: Int = 2) -> RuntimeSettings {
    RuntimeSettings(shards: shards, ringEntries: 256, receiveBufferSize: 4096, receiveBufferCount: 64, pinThreads: false)
}

/// One shard, with cached file ranges up to `inlineLimit` bytes sent inline (the
/// file-output tests), on registered (`fixedFiles`) or ordinary sockets.
func inlineSendSettings(fixedFiles: Bool, inlineLimit: Int = 8 << 20) -> RuntimeSettings {
    var settings = testSettings(shards: 1)
    settings.fixedFiles = fixedFiles
    settings.inlineFileSendLimit = inlineLimit
    return settings
}

/// A file in /tmp holding `pattern(seed, count:)`, already unlinked and open for
/// reading and writing: its descriptor (the caller closes it) and its bytes.
func patternFile(_ name: String, seed: Int, count: Int) throws -> (descriptor: Int32, bytes: [UInt8]) {
    let path = "/tmp/mailshard-\(getpid())-\(name)"
    defer { unlink(path) }
    let body = pattern(seed, count: count)
    let descriptor = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o600)
    try #require(descriptor >= 0)
    var written = 0
    while written < count {
        let result = body.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + written, count - written, off_t(written)) }
        if result <= 0 { close(descriptor) }
        try #require(result > 0)
        written += result
    }
    return (descriptor, body)
}

/// Collects log lines for assertions.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
}

import Synchronization

/// What a serving handler and its test's client tell each other: the connection the
/// handler got, whether the handler failed, and when the client has read what it
/// waited for (the handler then lets the connection end).
final class ServedConnection: Sendable {
    let connection = Mutex<Connection?>(nil)
    let clientDone = Atomic<Bool>(false)
    let failure = Atomic<Bool>(false)
    var failed: Bool { failure.load(ordering: .acquiring) }

    /// Waits, bounded (20 s), until the client says it is done.
    func awaitClient() async {
        for _ in 0..<2000 where !clientDone.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Shrinks the server side's send buffer to 32 KiB once the inline path has its
/// descriptor (after a first range), so a range of a few MB fills the socket again
/// and again.
func shrinkSendBuffer(of connection: Connection) async {
    await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
        connection.shard.execute {
            if case .ready(let socket, _) = connection.inlineSocket {
                var size: Int32 = 32 * 1024
                setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            continuation.resume()
        }
    }
}
