import Testing
@testable import IMAPServer

/// Framing seen from the client: pipelining, literals, bad syntax, too-long lines.
@Suite struct ConnectionTranscriptTests {
    @Test func pipelinedCommandsAnswerInOrderAcrossTheLogin() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        // One write: the commands after LOGIN travel with the session to its home shard.
        try await runTranscript(client, """
            C: p1 NOOP
            C: p2 LOGIN alice secret
            C: p3 STATUS INBOX (MESSAGES)
            C: p4 CREATE Pipelined
            C: p5 LIST "" Pipe*
            C: p6 LOGOUT
            S: p1 OK NOOP completed
            S: p2 OK [CAPABILITY \(AnyStateTranscriptTests.postLogin)] Logged in
            S: * STATUS INBOX (MESSAGES 0)
            S: p3 OK STATUS completed
            S: p4 OK CREATE completed
            S: * LIST (\\HasNoChildren) "/" Pipelined
            S: p5 OK LIST completed
            S: * BYE Logging out
            S: p6 OK LOGOUT completed
            """)
        #expect(await client.closedByServer())
        await server.stop()
    }

    @Test func literalsSynchronizingAndNot() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CREATE {5}
            S: + Ready for literal
            C: Lit/A
            S: a1 OK CREATE completed
            C: a2 STATUS {5+}
            C: Lit/A (MESSAGES)
            S: * STATUS Lit/A (MESSAGES 0)
            S: a2 OK STATUS completed
            """)
        await server.stop()
    }

    @Test func syntaxErrors() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 LOGIN
            S: a1 BAD expected a space
            C: (garbage
            S: * BAD missing or invalid tag
            C: a2 NOOP extra
            S: a2 BAD unexpected characters at end of command
            C: a3 NOOP
            S: a3 OK NOOP completed
            """)
        await server.stop()
    }

    @Test func tooLongLineIsRefusedAndTheSessionGoesOn() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        let long = "a1 LIST \"\" " + String(repeating: "x", count: 70_000)
        try client.send(long)
        #expect(await client.nextLine() == "a1 BAD Command line too long")
        try await runTranscript(client, """
            C: a2 NOOP
            S: a2 OK NOOP completed
            """)
        await server.stop()
    }

    @Test func literalTooLargeIsRefused() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CREATE {999999999999}
            S: a1 NO [TOOBIG] Literal too large
            C: a2 NOOP
            S: a2 OK NOOP completed
            """)
        await server.stop()
    }
}
