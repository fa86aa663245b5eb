import Testing
@testable import IMAPServer

/// IDLE (RFC 2177) transcripts: keepalives, updates while idle, how IDLE ends
/// (DONE after changes, a wrong line, autologout, a client that goes away).
@Suite(.serialized) struct IdleTranscriptTests {
    /// Reads lines until every one of `expected` was seen (in any order: a keepalive
    /// may come before or after an update on a slow machine); at most `limit` lines.
    private func readUntilSeen(_ transcript: Transcript, _ expected: Set<String>, limit: Int = 12) async -> [String] {
        var lines: [String] = []
        var missing = expected
        while !missing.isEmpty, lines.count < limit, let line = await transcript.readLine() {
            lines.append(line)
            missing.remove(line)
        }
        return lines
    }

    /// The next line that is not a keepalive (at most `limit` keepalives skipped).
    private func nextLineAfterKeepalives(_ transcript: Transcript, limit: Int = 20) async -> String? {
        var line = await transcript.readLine()
        for _ in 0..<limit where line == "* OK Still here" { line = await transcript.readLine() }
        return line
    }

    @Test func keepalivesRepeatAndUpdatesArriveBetweenThem() async throws {
        let server = try await MessageTestServer { $0.idleKeepalive = .seconds(1) }
        let alice = try await server.client(enableRev2: true)
        let writer = try await server.client(select: nil)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        #expect(await alice.readLine() == "* OK Still here")
        _ = try await writer.append(tag: "A1", plainMessage)
        let lines = await readUntilSeen(alice, ["* 1 EXISTS", "* OK Still here"])
        #expect(lines.contains("* 1 EXISTS"))
        #expect(lines.filter { $0 == "* OK Still here" }.count >= 1)
        #expect(lines.allSatisfy { $0 == "* 1 EXISTS" || $0 == "* OK Still here" }, "\(lines)")
        try alice.client.send("DONE")
        // A keepalive may still be on its way when DONE is sent.
        #expect(await nextLineAfterKeepalives(alice) == "I OK IDLE terminated")
        await server.stop()
    }

    /// A client may pipeline DONE (and more commands) right behind IDLE: IDLE ends
    /// at once and the commands after it run, without waiting for more input.
    @Test func doneSentWithIdleEndsItAtOnce() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        try alice.client.sendRaw(Array("I1 IDLE\r\nDONE\r\nN1 NOOP\r\n".utf8))
        #expect(await alice.readLine() == "+ idling")
        #expect(await alice.readLine() == "I1 OK IDLE terminated")
        #expect(await alice.readLine() == "N1 OK NOOP completed")
        try alice.client.sendRaw(Array("I2 IDLE\r\nDO".utf8))
        #expect(await alice.readLine() == "+ idling")
        try alice.client.sendRaw(Array("NE\r\n".utf8))
        #expect(await alice.readLine() == "I2 OK IDLE terminated")
        await server.stop()
    }

    /// The line that ends IDLE is bounded like any command line: endless bytes
    /// without a line feed end the connection with a BYE saying why.
    @Test func anEndlessLineWhileIdlingIsRefused() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        try alice.client.sendRaw([UInt8](repeating: UInt8(ascii: "x"), count: 70 * 1024))
        #expect(await nextLineAfterKeepalives(alice) == "* BYE Line too long while idling")
        #expect(await alice.readLine() == nil)
        await server.stop()
    }

    /// Changes reported in IDLE are not reported again after DONE; flag changes
    /// and expunges by another session reach the idler with the right numbers.
    @Test func doneAfterChangesReportsEachChangeOnce() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        for tag in ["A1", "A2"] { _ = try await alice.append(tag: tag, plainMessage) }
        let writer = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        _ = try await writer.run("W1 STORE 2 +FLAGS.SILENT (\\Flagged)")
        #expect(await alice.readLine() == "* 2 FETCH (FLAGS (\\Flagged))")
        _ = try await writer.run("W2 STORE 1 +FLAGS.SILENT (\\Deleted)")
        #expect(await alice.readLine() == "* 1 FETCH (FLAGS (\\Deleted))")
        _ = try await writer.run("W3 EXPUNGE")
        #expect(await alice.readLine() == "* 1 EXPUNGE")
        _ = try await writer.append(tag: "W4", plainMessage)
        #expect(await alice.readLine() == "* 2 EXISTS")
        try alice.client.send("DONE")
        #expect(await alice.readLine() == "I OK IDLE terminated")
        #expect(try await alice.run("N NOOP") == ["N OK NOOP completed"])
        #expect(try await alice.run("F FETCH 1:* (UID)") == [
            "* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)", "F OK FETCH completed",
        ])
        await server.stop()
    }

    /// A change made after the idler's last report but just before DONE is
    /// reported before the tagged OK, never lost.
    @Test func aChangeRacingDoneIsReportedBeforeTheOK() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        let writer = try await server.client(select: nil)
        for round in 1...5 {
            try alice.client.send("I\(round) IDLE")
            #expect(await alice.readLine() == "+ idling")
            _ = try await writer.append(tag: "A\(round)", plainMessage)
            try alice.client.send("DONE")
            #expect(await alice.readLine() == "* \(round) EXISTS")
            #expect(await alice.readLine() == "I\(round) OK IDLE terminated")
        }
        await server.stop()
    }

    @Test(arguments: ["done", "Done", "DONE"])
    func doneIsCaseInsensitive(_ done: String) async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        try alice.client.send(done)
        #expect(await alice.readLine() == "I OK IDLE terminated")
        #expect(try await alice.run("N NOOP") == ["N OK NOOP completed"])
        await server.stop()
    }

    /// A line other than DONE ends IDLE with BAD; a command sent with DONE in the
    /// same packet runs after it.
    @Test func aWrongLineEndsIdleWithBadAndPipelinedCommandsRun() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        try alice.client.send("I1 IDLE")
        #expect(await alice.readLine() == "+ idling")
        try alice.client.send("NOOP")
        #expect(await alice.readLine() == "I1 BAD Expected DONE")
        try alice.client.send("I2 IDLE")
        #expect(await alice.readLine() == "+ idling")
        try alice.client.sendRaw(Array("DONE\r\nN1 NOOP\r\n".utf8))
        #expect(await alice.read(2) == ["I2 OK IDLE terminated", "N1 OK NOOP completed"])
        await server.stop()
    }

    /// Keepalives are not activity: an idler silent for the autologout limit is
    /// logged out (RFC 2177 asks clients to re-issue IDLE within 29 minutes).
    @Test func autologoutEndsIdle() async throws {
        let server = try await MessageTestServer {
            $0.authenticatedTimeout = .seconds(2)
            $0.idleKeepalive = .seconds(1)
        }
        let alice = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        #expect(await nextLineAfterKeepalives(alice) == "* BYE Autologout; idle for too long")
        #expect(await alice.client.closedByServer())
        await server.stop()
    }

    /// A client that goes away in IDLE ends its session; the mailbox's other
    /// idlers and writers carry on.
    @Test func aClientThatDisconnectsWhileIdleLeavesOthersWorking() async throws {
        let server = try await MessageTestServer()
        let leaving = try await server.client(enableRev2: true)
        let staying = try await server.client(enableRev2: true)
        for idler in [leaving, staying] {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        leaving.client.disconnect()
        let writer = try await server.client(select: nil)
        _ = try await writer.append(tag: "A1", plainMessage)
        #expect(await staying.readLine() == "* 1 EXISTS")
        try staying.client.send("DONE")
        #expect(await staying.readLine() == "I OK IDLE terminated")
        await server.stop()
    }

    /// Idlers of one shard share the encoded EXISTS/RECENT lines only where their
    /// text is identical: IMAP4rev1 idlers hear RECENT (their own count: the first
    /// session to see a message holds it), an IMAP4rev2 idler hears EXISTS alone.
    @Test func idlersHearTheirOwnSizeUpdates() async throws {
        let server = try await MessageTestServer()
        let first = try await server.client()
        let second = try await server.client()
        let modern = try await server.client(enableRev2: true)
        for idler in [first, second, modern] {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        let writer = try await server.client(select: nil)
        for count in 1...2 {
            _ = try await writer.append(tag: "A\(count)", plainMessage)
            var recentClaimed = 0
            for idler in [first, second] {
                #expect(await idler.readLine() == "* \(count) EXISTS")
                let recent = await idler.readLine()
                #expect(recent == "* 0 RECENT" || recent == "* 1 RECENT" || recent == "* 2 RECENT", "\(recent ?? "nil")")
                recentClaimed += recent.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            }
            // Each message is recent in at most one of them (the IMAP4rev2 session may
            // be the first to see it, and then holds it without hearing RECENT).
            #expect(recentClaimed <= count)
            #expect(await modern.readLine() == "* \(count) EXISTS")
        }
        for idler in [first, second, modern] {
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I OK IDLE terminated")
        }
        await server.stop()
    }
}
