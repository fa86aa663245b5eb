import Testing
@testable import IMAPServer

/// Autologout, shutdown and the move to the user's home shard.
@Suite struct LifecycleTests {
    @Test func autologoutBeforeLogin() async throws {
        let server = try await TestServer { $0.loginTimeout = .seconds(1) }
        let client = try await server.connect()
        #expect(await client.nextLine() == "* BYE Autologout; idle for too long")
        #expect(await client.closedByServer())
        await server.stop()
    }

    @Test func autologoutWhenAuthenticated() async throws {
        let server = try await TestServer {
            $0.loginTimeout = .seconds(600)
            $0.authenticatedTimeout = .seconds(1)
        }
        let client = try await server.loggedIn()
        #expect(await client.nextLine() == "* BYE Autologout; idle for too long")
        #expect(await client.closedByServer())
        await server.stop()
    }

    @Test func shutdownSaysByeInEveryState() async throws {
        let server = try await TestServer()
        let fresh = try await server.connect()
        let authenticated = try await server.loggedIn()
        let selected = try await server.loggedIn("bob")
        try selected.send("s1 SELECT INBOX")
        var line = await selected.nextLine()
        while let current = line, !current.hasPrefix("s1 ") { line = await selected.nextLine() }
        await server.stop()
        for client in [fresh, authenticated, selected] {
            #expect(await client.nextLine() == "* BYE Server shutting down")
            #expect(await client.closedByServer())
        }
    }

    /// Every login ends on the user's home shard; sessions keep working after the move.
    @Test func sessionsMoveToTheirHomeShard() async throws {
        let server = try await TestServer(shards: 4)
        var clients: [TranscriptClient] = []
        for index in 0..<24 {
            let client = try await server.loggedIn(index % 2 == 0 ? "alice" : "bob")
            try await runTranscript(client, """
                C: m1 STATUS INBOX (MESSAGES)
                S: * STATUS INBOX (MESSAGES 0)
                S: m1 OK STATUS completed
                """)
            clients.append(client)
        }
        let moves = server.server.homeShardMoves
        #expect(moves.moves + moves.stays == 24)
        // Connections land on shards by the kernel's hash: with 4 shards, some move.
        #expect(moves.moves > 0)
        let counts = await server.server.runtime.connectionCounts()
        let homes = Set(["alice", "bob"].map { server.server.runtime.shard(forKey: $0).index })
        for (index, count) in counts.enumerated() where !homes.contains(index) {
            #expect(count == 0, "shard \(index) still holds \(count) connections")
        }
        print("home-shard move: \(moves.moves) moves, average \(moves.average), longest \(moves.longest)")
        await server.stop()
    }
}
