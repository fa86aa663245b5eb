#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `imap-load serve-copy`: the loopback baseline for body FETCH. It writes, for each user
/// the `fetch-bodies` clients log in as (`--clients`, `--users`), `--messages` files of
/// `--message-size` bytes — the very bytes `fetch-bodies` seeds into that user's mailbox —
/// and answers `fetch-bodies` with just enough IMAP — greeting, LOGIN, EXAMINE, FETCH,
/// LOGOUT — that the same client code, concurrency and validation run against it; each
/// FETCH body is moved with a plain sendfile(2) from the logged-in user's file to the
/// socket. FETCH MB/s of a real server divided by this server's MB/s is the share of a
/// plain copy the server reaches.
///
/// Each user has files of its own, as on the server: the copy moves the same working
/// set (10 users × 20 messages × 100 KiB = 20 MB for `fetch-bodies`), not one set of
/// files shared by every client, which would sit in the CPU caches the server's bodies
/// do not fit (the client's receive copy reads those pages).
///
/// Thread per connection, blocking sockets: the copy, not the server design, is measured.
/// Only commands `fetch-bodies` sends are understood; anything else is answered BAD.
public final class CopyServer: @unchecked Sendable {
    let options: LoadOptions
    /// Open read-only descriptors of each user's message 1…N by user name, written once
    /// at start and never closed before exit; shared read-only by the connection threads
    /// (sendfile takes an explicit offset, so no descriptor position is shared).
    private var files: [String: [Int32]] = [:]

    /// The users `fetch-bodies` clients log in as (its `seedTargets`).
    static func users(_ options: LoadOptions) -> [String] {
        Set((0..<options.clients).map(options.userName)).sorted()
    }

    public init(options: LoadOptions) {
        self.options = options
    }

    /// The port it listens on once `start` succeeded (`--port`, or the one the kernel
    /// picked for port 0).
    public private(set) var port: UInt16 = 0
    private var listener: Int32 = -1

    /// Writes the files, listens on `--host:--port` and serves until the process ends.
    /// Returns only when it cannot start, with the reason.
    public func run() -> String {
        if let failure = start() { return failure }
        FileHandle.standardOutput.write(Data("serve-copy: \(files.count) users × \(options.messages) files of \(options.messageSize) bytes on \(options.host):\(port)\n".utf8))
        acceptForever()
    }

    /// Writes the files and listens; the reason when it cannot.
    func start() -> String? {
        do {
            try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)
            for user in Self.users(options) {
                var descriptors: [Int32] = []
                for serial in 1...options.messages {
                    let path = "\(options.dataDirectory)/\(user)-\(options.messageSize)-\(serial)"
                    let bytes = MessageFactory.message(size: options.messageSize, serial: serial, user: user)
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    let descriptor = open(path, O_RDONLY)
                    guard descriptor >= 0 else { return "cannot open \(path)" }
                    descriptors.append(descriptor)
                }
                files[user] = descriptors
            }
        } catch {
            return "cannot write \(options.dataDirectory): \(error)"
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = options.port.bigEndian
        guard inet_pton(AF_INET, options.host, &address.sin_addr) == 1 else { return "not an IPv4 address: \(options.host)" }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 1024) == 0 else { return "cannot listen on \(options.host):\(options.port): \(String(cString: strerror(errno)))" }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        return nil
    }

    /// Serves each connection on a thread of its own, for as long as the process runs.
    func acceptForever() -> Never {
        var one: Int32 = 1
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard write(client, "* OK [CAPABILITY IMAP4rev1 LITERAL+] imap-load copy baseline\r\n") else { return }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var userFiles: [Int32]?
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[0..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(0...end)
                guard answer(line, on: client, userFiles: &userFiles) else { return }
            }
        }
    }

    /// Answers one command line; false ends the connection. `userFiles`: the logged-in
    /// user's files, nil before LOGIN.
    private func answer(_ line: String, on client: Int32, userFiles: inout [Int32]?) -> Bool {
        let words = line.split(separator: " ", maxSplits: 3).map(String.init)
        guard words.count >= 2 else { return write(client, "* BAD empty command\r\n") }
        let tag = words[0]
        switch words[1].uppercased() {
        case "LOGIN":
            // LOGIN user password, the user as an atom or a quoted string.
            guard words.count >= 3, let found = files[words[2].trimmingCharacters(in: CharacterSet(charactersIn: "\""))] else {
                return write(client, "\(tag) NO [AUTHENTICATIONFAILED] no files for that user\r\n")
            }
            userFiles = found
            return write(client, "\(tag) OK [CAPABILITY IMAP4rev1 LITERAL+] logged in\r\n")
        case "CAPABILITY":
            return write(client, "* CAPABILITY IMAP4rev1 LITERAL+\r\n\(tag) OK done\r\n")
        case "EXAMINE", "SELECT":
            guard let userFiles else { return write(client, "\(tag) BAD LOGIN first\r\n") }
            return write(client, "* \(userFiles.count) EXISTS\r\n* FLAGS (\\Seen)\r\n* OK [UIDVALIDITY 1] ok\r\n\(tag) OK [READ-ONLY] done\r\n")
        case "FETCH":
            guard let userFiles else { return write(client, "\(tag) BAD LOGIN first\r\n") }
            guard words.count >= 3, let number = Int(words[2]), number >= 1, number <= userFiles.count else {
                return write(client, "\(tag) BAD only FETCH n of 1...\(userFiles.count) is served\r\n")
            }
            return write(client, "* \(number) FETCH (BODY[] {\(options.messageSize)}\r\n", more: true)
                && sendFile(userFiles[number - 1], to: client)
                && write(client, ")\r\n\(tag) OK done\r\n")
        case "LOGOUT":
            _ = write(client, "* BYE bye\r\n\(tag) OK done\r\n")
            return false
        default:
            return write(client, "\(tag) BAD not served here\r\n")
        }
    }

    private func sendFile(_ file: Int32, to client: Int32) -> Bool {
        var offset = off_t(0)
        var remaining = options.messageSize
        while remaining > 0 {
            let sent = sendfile(client, file, &offset, remaining)
            if sent < 0, errno == EINTR { continue }
            if sent <= 0 { return false }
            remaining -= sent
        }
        return true
    }

    /// Sends all of `text`; `more` lets the kernel hold it for the body that follows.
    private func write(_ client: Int32, _ text: String, more: Bool = false) -> Bool {
        var bytes = Array(text.utf8)[...]
        let flags = Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0)
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, flags) }
            if sent < 0, errno == EINTR { continue }
            if sent <= 0 { return false }
            bytes = bytes.dropFirst(sent)
        }
        return true
    }
}
