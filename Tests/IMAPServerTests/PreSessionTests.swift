import Logging
import ShardRuntime
import Testing
@testable import IMAPServer

/// The server as it stands before sessions exist: it greets, and answers the
/// first line with BYE, on every shard; and shutdown says BYE to open connections.
@Suite struct PreSessionTests {
    static func startServer() async throws -> (MailshardServer, Int) {
        var settings = ServerSettings()
        settings.listenPort = 0
        settings.runtime = RuntimeSettings(shards: 2, pinThreads: false)
        let server = try MailshardServer(settings: settings, logger: Logger(label: "test"))
        let port = try await server.listen()
        return (server, port)
    }

    @Test func greetsThenSaysByeAtTheFirstLine() async throws {
        let (server, port) = try await Self.startServer()
        // Enough connections that both shards' listeners serve some.
        for _ in 0..<8 {
            let client = try TranscriptClient(port: port)
            #expect(client.readLine() == "* OK Mailshard ready; IMAP commands are not served yet")
            try client.send("a1 CAPABILITY")
            #expect(client.readLine() == "* BYE Mailshard does not serve IMAP commands yet")
            #expect(client.isClosedByServer())
        }
        await server.shutdown(gracePeriod: .seconds(2))
    }

    @Test func shutdownSaysByeToOpenConnections() async throws {
        let (server, port) = try await Self.startServer()
        let clients = try (0..<4).map { _ in try TranscriptClient(port: port) }
        for client in clients {
            #expect(client.readLine()?.hasPrefix("* OK ") == true)
        }
        await server.shutdown(gracePeriod: .seconds(2))
        for client in clients {
            #expect(client.readLine() == "* BYE Server shutting down")
            #expect(client.isClosedByServer())
        }
    }

    @Test func portInUseIsAnError() async throws {
        let (server, port) = try await Self.startServer()
        var settings = ServerSettings()
        settings.listenPort = port
        settings.runtime = RuntimeSettings(shards: 1, pinThreads: false)
        let second = try MailshardServer(settings: settings, logger: Logger(label: "test"))
        await #expect(throws: (any Error).self) { try await second.listen() }
        await second.shutdown(gracePeriod: .seconds(1))
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
