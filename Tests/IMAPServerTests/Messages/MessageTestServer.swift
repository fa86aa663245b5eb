import Glibc
import Logging
import MailStore
import Testing
@testable import IMAPServer

/// A Mailshard server on an ephemeral loopback port with users `alice` and `bob`
/// (password `secret`) in a fresh data directory, for the message-command
/// transcripts. Shut it down with `stop()`.
final class MessageTestServer: Sendable {
    let directory: String
    let server: MailshardServer
    let port: Int

    /// `reusing`: the directory of a server stopped with ``stopKeepingData()``,
    /// whose data this one serves (a restart).
    init(
        shards: Int = 2, analyzer: any MessageAnalyzer = MIMEMessageAnalyzer(), reusing: String? = nil,
        configure: (inout ServerSettings) -> Void = { _ in }
    ) async throws {
        if let reusing {
            directory = reusing
        } else {
            var template = Array("/tmp/mailshard-transcript-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            precondition(made != nil, "mkdtemp failed")
            directory = String(cString: template)
            let passwd = "alice:{PLAIN}secret::::::\nbob:{PLAIN}secret::::::\n"
            let file = fopen(directory + "/passwd", "w")
            fputs(passwd, file)
            fclose(file)
        }
        var settings = ServerSettings()
        settings.listenPort = 0
        settings.dataDirectory = directory + "/data"
        settings.passwdFileOverride = directory + "/passwd"
        settings.loginFailureDelay = .zero
        settings.runtime.shards = shards
        settings.runtime.pinThreads = false
        configure(&settings)
        server = try MailshardServer(settings: settings, logger: Logger(label: "test"), analyzer: analyzer)
        port = try await server.listen()
    }

    /// A client logged in as `user` with `INBOX` selected (or not, with nil).
    func client(user: String = "alice", select mailbox: String? = "INBOX", enableRev2: Bool = false) async throws -> Transcript {
        let transcript = Transcript(try TranscriptClient(port: port))
        _ = await transcript.readLine() // greeting
        try await transcript.run("L LOGIN \(user) secret")
        if enableRev2 { try await transcript.run("E ENABLE IMAP4rev2") }
        if let mailbox { try await transcript.run("S SELECT \(mailbox)") }
        return transcript
    }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(1))
        try? PosixFileIO().removeTree(directory)
    }

    /// Stops the server and leaves its data for a restart (`reusing:`).
    func stopKeepingData() async {
        await server.shutdown(gracePeriod: .seconds(1))
    }
}

/// A transcript client with the helpers these tests need. Every read happens off
/// the cooperative pool (`TranscriptClient.nextLine()`): a blocking read there
/// could starve the server's own work on this 2-core machine.
final class Transcript {
    let client: TranscriptClient

    init(_ client: TranscriptClient) { self.client = client }

    func readLine() async -> String? { await client.nextLine() }

    /// Sends `line` and returns every line the server sent up to and including
    /// the tagged completion of its tag (the first word of `line`).
    @discardableResult
    func run(_ line: String) async throws -> [String] {
        try client.send(line)
        return try await collect(tag: String(line.prefix { $0 != " " }))
    }

    /// Sends raw bytes (literals) and collects up to the tagged line of `tag`.
    @discardableResult
    func runRaw(_ bytes: [UInt8], tag: String) async throws -> [String] {
        try client.sendRaw(bytes)
        return try await collect(tag: tag)
    }

    func collect(tag: String) async throws -> [String] {
        var lines: [String] = []
        while let line = await client.nextLine() {
            lines.append(line)
            if line.hasPrefix(tag + " ") { return lines }
        }
        throw TranscriptClient.Failure(description: "connection ended after \(lines)")
    }

    /// Reads `count` lines.
    func read(_ count: Int) async -> [String] {
        var lines: [String] = []
        for _ in 0..<count {
            if let line = await client.nextLine() { lines.append(line) }
        }
        return lines
    }

    /// Sends a literal command whose message is `message`, waiting for `+` when
    /// the literal is synchronizing.
    func append(tag: String, mailbox: String = "INBOX", options: String = "", _ message: [UInt8]) async throws -> [String] {
        let prefix = options.isEmpty ? "" : options + " "
        try client.send("\(tag) APPEND \(mailbox) \(prefix){\(message.count)}")
        guard let ready = await client.nextLine(), ready.hasPrefix("+") else {
            throw TranscriptClient.Failure(description: "no continuation for APPEND")
        }
        return try await runRaw(message + Array("\r\n".utf8), tag: tag)
    }
}
