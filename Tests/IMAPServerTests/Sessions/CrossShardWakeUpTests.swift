import ShardRuntime
import Testing
@testable import IMAPServer

/// Once a session is on its user's home shard, its commands run there from the
/// read's completion to the answer's send: no work is queued across shards.
@Suite struct CrossShardWakeUpTests {
    /// Sends one command and reads up to its tagged answer, which it returns.
    private func command(_ client: TranscriptClient, _ tag: String, _ text: String) async throws -> String? {
        try client.send("\(tag) \(text)")
        while let line = await client.nextLine() {
            if line.hasPrefix("\(tag) ") { return line }
        }
        return nil
    }

    @Test func steadyStateCommandsAfterTheMoveCauseNoCrossShardWork() async throws {
        let server = try await TestServer(shards: 2)
        try await server.plant(3, user: "alice")
        try await server.plant(3, user: "bob")
        // Connections land on shards by the kernel's hash; log in until some moved.
        var clients: [TranscriptClient] = []
        for index in 0..<32 {
            let client = try await server.loggedIn(index % 2 == 0 ? "alice" : "bob")
            // The first command answered on the home shard: the move is complete.
            #expect(try await command(client, "s0", "SELECT INBOX")?.hasPrefix("s0 OK") == true)
            clients.append(client)
            if server.server.homeShardMoves.moves >= 2 && clients.count >= 4 { break }
        }
        #expect(server.server.homeShardMoves.moves > 0)

        let before = server.server.runtime.wakeUps
        for client in clients {
            for round in 0..<3 {
                #expect(try await command(client, "n\(round)", "NOOP")?.hasPrefix("n\(round) OK") == true)
                #expect(try await command(client, "f\(round)", "FETCH 1:* (FLAGS UID)")?.hasPrefix("f\(round) OK") == true)
                #expect(try await command(client, "b\(round)", "FETCH 2 BODY.PEEK[]")?.hasPrefix("b\(round) OK") == true)
                #expect(try await command(client, "t\(round)", "STORE 1 +FLAGS (\\Flagged)")?.hasPrefix("t\(round) OK") == true)
                #expect(try await command(client, "u\(round)", "STATUS INBOX (MESSAGES)")?.hasPrefix("u\(round) OK") == true)
                #expect(try await command(client, "s\(round)", "SELECT INBOX")?.hasPrefix("s\(round) OK") == true)
            }
        }
        let during = server.server.runtime.wakeUps.since(before)
        #expect(during.fromShards == 0, "work queued across shards by steady-state commands: \(during)")
        await server.stop()
    }

    /// A whole connection that moves (login, move, a command, logout, close) queues
    /// work across shards three times: the connection's registration on the target,
    /// the task's hop there, and its return to the accepting shard at the end.
    @Test func aMovedConnectionCostsAtMostThreeCrossShardHops() async throws {
        let server = try await TestServer(shards: 2)
        let before = server.server.runtime.wakeUps
        var connections = 0
        while server.server.homeShardMoves.moves < 3 && connections < 64 {
            connections += 1
            let client = try await server.loggedIn(connections % 2 == 0 ? "alice" : "bob")
            #expect(try await command(client, "s0", "NOOP")?.hasPrefix("s0 OK") == true)
            #expect(try await command(client, "z0", "LOGOUT")?.hasPrefix("z0 OK") == true)
            #expect(await client.closedByServer())
        }
        let moves = server.server.homeShardMoves.moves
        #expect(moves > 0)
        await server.stop()
        let during = server.server.runtime.wakeUps.since(before)
        #expect(during.fromShards <= 3 * moves, "\(moves) moves queued \(during)")
    }
}
