#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `imap-load serve-copy`: the loopback baseline for body FETCH. It writes `--messages`
/// files of `--message-size` bytes (the bytes `fetch-bodies` seeds) and answers
/// `fetch-bodies` with just enough IMAP — greeting, LOGIN, EXAMINE, FETCH, LOGOUT — that
/// the same client code, concurrency and validation run against it; each FETCH body is
/// moved with a plain sendfile(2) from the file to the socket. FETCH MB/s of a real
/// server divided by this server's MB/s is the share of a plain copy the server reaches.
///
/// Thread per connection, blocking sockets: the copy, not the server design, is measured.
/// Only commands `fetch-bodies` sends are understood; anything else is answered BAD.
public final class CopyServer: @unchecked Sendable {
    let options: LoadOptions
    /// Open read-only descriptors of message 1…N, written once at start and never
    /// closed before exit; shared read-only by the connection threads (sendfile takes an
    /// explicit offset, so no descriptor position is shared).
    private var files: [Int32] = []

    public init(options: LoadOptions) {
        self.options = options
    }

    /// Writes the files, listens on `--host:--port` and serves until the process ends.
    /// Returns only when it cannot start, with the reason.
    public func run() -> String {
        do {
            try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)
            for serial in 1...options.messages {
                let path = "\(options.dataDirectory)/message-\(options.messageSize)-\(serial)"
                let bytes = MessageFactory.message(size: options.messageSize, serial: serial, user: "copy")
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else { return "cannot open \(path)" }
                files.append(descriptor)
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
        FileHandle.standardOutput.write(Data("serve-copy: \(options.messages) files of \(options.messageSize) bytes on \(options.host):\(options.port)\n".utf8))
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
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[0..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(0...end)
                guard answer(line, on: client) else { return }
            }
        }
    }

    /// Answers one command line; false ends the connection.
    private func answer(_ line: String, on client: Int32) -> Bool {
        let words = line.split(separator: " ", maxSplits: 3).map(String.init)
        guard words.count >= 2 else { return write(client, "* BAD empty command\r\n") }
        let tag = words[0]
        switch words[1].uppercased() {
        case "LOGIN":
            return write(client, "\(tag) OK [CAPABILITY IMAP4rev1 LITERAL+] logged in\r\n")
        case "CAPABILITY":
            return write(client, "* CAPABILITY IMAP4rev1 LITERAL+\r\n\(tag) OK done\r\n")
        case "EXAMINE", "SELECT":
            return write(client, "* \(files.count) EXISTS\r\n* FLAGS (\\Seen)\r\n* OK [UIDVALIDITY 1] ok\r\n\(tag) OK [READ-ONLY] done\r\n")
        case "FETCH":
            guard words.count >= 3, let number = Int(words[2]), number >= 1, number <= files.count else {
                return write(client, "\(tag) BAD only FETCH n of 1...\(files.count) is served\r\n")
            }
            return write(client, "* \(number) FETCH (BODY[] {\(options.messageSize)}\r\n", more: true)
                && sendFile(files[number - 1], to: client)
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
