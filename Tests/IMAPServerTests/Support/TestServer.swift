import Foundation
import Logging
import MailStore
import ShardRuntime
import Testing
@testable import IMAPServer

/// A server started in-process on an ephemeral loopback port with a temporary
/// data directory and two users (alice / secret, bob / hunter2, `{PLAIN}` so
/// logins cost no crypt). Call ``stop()`` at the end of the test.
final class TestServer {
    let server: MailshardServer
    let port: Int
    let directory: URL

    static let users = [("alice", "secret"), ("bob", "hunter2")]

    init(shards: Int = 2, configure: (inout ServerSettings) -> Void = { _ in }) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailshard-session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwd = Self.users.map { "\($0.0):{PLAIN}\($0.1)::::::" }.joined(separator: "\n") + "\n"
        try passwd.write(to: directory.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        var settings = ServerSettings()
        settings.listenPort = 0
        settings.dataDirectory = directory.path
        settings.runtime = RuntimeSettings(shards: shards, pinThreads: false)
        settings.loginFailureDelay = .milliseconds(1)
        configure(&settings)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        server = try MailshardServer(settings: settings, logger: logger)
        port = try await server.listen()
    }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(2))
        try? FileManager.default.removeItem(at: directory)
    }

    /// A connected client whose greeting has been read and checked.
    func connect() async throws -> TranscriptClient {
        let client = try TranscriptClient(port: port)
        let greeting = await client.nextLine()
        #expect(greeting?.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ") == true, "greeting: \(greeting ?? "nil")")
        return client
    }

    /// A client logged in as `user` (tag `l0`), its answer read.
    func loggedIn(_ user: String = "alice") async throws -> TranscriptClient {
        let client = try await connect()
        let password = Self.users.first { $0.0 == user }!.1
        try client.send("l0 LOGIN \(user) \(password)")
        #expect(await client.nextLine() == "l0 OK [CAPABILITY \(Capabilities.base(appendLimit: ServerSettings().appendLimit).joined(separator: " "))] Logged in")
        return client
    }

    /// The store as the server sees it, to plant messages and read UIDVALIDITY.
    func user(_ name: String = "alice") async throws -> UserStore {
        try await server.store.user(name)
    }

    func uidValidity(_ mailbox: String, user: String = "alice") async throws -> UInt32 {
        try #require(try await self.user(user).info(mailbox)).uidValidity
    }

    /// Appends `count` small messages to `mailbox`, with the given flags.
    func plant(_ count: Int, in mailbox: String = "INBOX", flags: SystemFlags = [], user: String = "alice") async throws {
        let box = try await self.user(user).mailbox(named: mailbox)
        for index in 0..<count {
            let bytes = Array("From: a@example.com\r\nSubject: message \(index)\r\n\r\nBody \(index)\r\n".utf8)
            _ = try await box.append(bytes, flags: MessageFlags(flags))
        }
    }
}

/// Runs an RFC-style transcript: `C: ` lines are sent (consecutive ones in one
/// write, so they pipeline), `S: ` lines must arrive exactly, in order.
func runTranscript(
    _ client: TranscriptClient, _ script: String, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    var pending: [String] = []
    func sendPending() throws {
        guard !pending.isEmpty else { return }
        try client.sendRaw(Array(pending.map { $0 + "\r\n" }.joined().utf8))
        pending.removeAll()
    }
    for rawLine in script.split(separator: "\n", omittingEmptySubsequences: true) {
        let line = rawLine.drop { $0 == " " }
        if line.hasPrefix("C: ") {
            pending.append(String(line.dropFirst(3)))
        } else if line.hasPrefix("S: ") {
            try sendPending()
            let expected = String(line.dropFirst(3))
            let got = await client.nextLine()
            #expect(got == expected, sourceLocation: sourceLocation)
            if got != expected { return }
        } else {
            Issue.record("transcript line without C:/S: \(line)", sourceLocation: sourceLocation)
        }
    }
    try sendPending()
}
