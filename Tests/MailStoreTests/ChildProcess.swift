import Glibc
@testable import MailStore

/// A child process with its stdout on a pipe, for the crash test. Owns the pid
/// and the read end; `kill` sends SIGKILL and reaps.
final class ChildProcess {
    let pid: pid_t
    private let output: Int32
    private var pending: [UInt8] = []
    private(set) var reachedEOF = false

    /// Runs `path` with `arguments`; stderr is inherited so a failing child says why.
    init(path: String, arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw StoreError.io(operation: "pipe", path: path, errno: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        Glibc.close(fds[1])
        guard rc == 0 else {
            Glibc.close(fds[0])
            throw StoreError.io(operation: "posix_spawn", path: path, errno: rc)
        }
        self.pid = pid
        self.output = fds[0]
    }

    deinit { Glibc.close(output) }

    /// The next complete line, waiting at most `timeoutMilliseconds`; nil on
    /// timeout or end of output.
    func readLine(timeoutMilliseconds: Int32) -> String? {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            if reachedEOF { return nil }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeoutMilliseconds)
            if ready == 0 { return nil }
            if ready < 0 { if errno == EINTR { continue } else { return nil } }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(output, &buffer, buffer.count)
            if n <= 0 { reachedEOF = true } else { pending.append(contentsOf: buffer[..<n]) }
        }
    }

    /// SIGKILL, then reap. Returns the wait status.
    @discardableResult
    func kill() -> Int32 {
        _ = Glibc.kill(pid, SIGKILL)
        return wait()
    }

    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}

/// The directory holding the test binary (where SwiftPM also puts executables).
func buildProductsDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let path = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    return path.directoryPart
}

func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func fnv64Hex(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return String(hash, radix: 16)
}
