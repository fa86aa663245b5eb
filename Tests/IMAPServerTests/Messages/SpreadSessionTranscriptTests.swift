import Testing
@testable import IMAPServer

/// Two sessions of one user on different shards (`home-shard-sessions` = 1): the
/// second lives off the user's home shard, so its mailbox calls and the updates it
/// hears cross shards. Each must see the other's APPEND, STORE and EXPUNGE with
/// correct sequence numbers, between commands and in IDLE.
@Suite(.serialized) struct SpreadSessionTranscriptTests {
    /// A server with two shards and alice's two sessions, one on each.
    private func spreadSessions() async throws -> (MessageTestServer, home: Transcript, away: Transcript) {
        let server = try await MessageTestServer { $0.homeShardSessions = 1 }
        let home = try await server.client(enableRev2: true)
        let away = try await server.client(enableRev2: true)
        #expect(server.server.context.placement.sessions(of: "alice") == [1, 1])
        #expect(server.server.homeShardMoves.spread == 1)
        return (server, home, away)
    }

    @Test func betweenCommandsEachSeesTheOther() async throws {
        let (server, home, away) = try await spreadSessions()
        for tag in ["A1", "A2", "A3"] { _ = try await home.append(tag: tag, plainMessage) }
        #expect(try await away.run("N0 NOOP") == ["* 3 EXISTS", "N0 OK NOOP completed"])
        #expect(try await away.run("S1 STORE 2 +FLAGS.SILENT (\\Deleted)") == ["S1 OK STORE completed"])
        #expect(try await away.run("X1 EXPUNGE") == ["* 2 EXPUNGE", "X1 OK EXPUNGE completed"])
        _ = try await away.append(tag: "A4", plainMessage)
        // During FETCH only the new message; message 2 keeps its number until NOOP.
        #expect(try await home.run("F1 FETCH 3 (UID)") == ["* 4 EXISTS", "* 3 FETCH (UID 3)", "F1 OK FETCH completed"])
        #expect(try await home.run("N1 NOOP") == ["* 2 EXPUNGE", "N1 OK NOOP completed"])
        #expect(try await home.run("F2 FETCH 1:* (UID)") == [
            "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "F2 OK FETCH completed",
        ])
        #expect(try await home.run("S2 STORE 3 +FLAGS.SILENT (\\Answered)") == ["S2 OK STORE completed"])
        #expect(try await away.run("N2 NOOP") == ["* 3 FETCH (FLAGS (\\Answered))", "N2 OK NOOP completed"])
        #expect(try await away.run("F3 FETCH 1:* (UID)") == [
            "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "F3 OK FETCH completed",
        ])
        await server.stop()
    }

    /// Each session idles in turn while the other (on the other shard) changes the mailbox.
    @Test func inIdleEachSeesTheOther() async throws {
        let (server, home, away) = try await spreadSessions()
        for tag in ["A1", "A2"] { _ = try await home.append(tag: tag, plainMessage) }
        #expect(try await away.run("N0 NOOP") == ["* 2 EXISTS", "N0 OK NOOP completed"])
        for (idler, writer) in [(away, home), (home, away)] {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
            _ = try await writer.append(tag: "W1", plainMessage)
            #expect(await idler.readLine() == "* 3 EXISTS")
            _ = try await writer.run("W2 STORE 3 +FLAGS.SILENT (\\Flagged)")
            #expect(await idler.readLine() == "* 3 FETCH (FLAGS (\\Flagged))")
            _ = try await writer.run("W3 STORE 1 +FLAGS.SILENT (\\Deleted)")
            #expect(await idler.readLine() == "* 1 FETCH (FLAGS (\\Deleted))")
            _ = try await writer.run("W4 EXPUNGE")
            #expect(await idler.readLine() == "* 1 EXPUNGE")
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I OK IDLE terminated")
            #expect(try await idler.run("N NOOP") == ["N OK NOOP completed"])
            #expect(try await idler.run("F FETCH 1:* (FLAGS)") == [
                "* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS (\\Flagged))", "F OK FETCH completed",
            ])
            // Back to the same two messages for the other direction.
            #expect(try await writer.run("W5 STORE 2 -FLAGS.SILENT (\\Flagged)") == ["W5 OK STORE completed"])
            #expect(try await idler.run("N2 NOOP") == ["* 2 FETCH (FLAGS ())", "N2 OK NOOP completed"])
        }
        await server.stop()
    }
}
