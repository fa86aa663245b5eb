import Testing
@testable import IMAPServer

/// Many idlers of one user on one mailbox, on one shard or spread over two: each
/// change reaches every idler exactly once, in order with its other untagged
/// responses, with its own sequence numbers, while the shard's idlers share one view
/// and one `\Recent` claim per change (``FanoutRound``); DONE ends IDLE after it.
@Suite(.serialized) struct IdleFanoutTranscriptTests {
    /// `homeShardSessions`: 0 keeps every session on alice's home shard (one round
    /// wakes all the idlers); 2 spreads them over both shards (a round on each).
    @Test(arguments: [0, 2])
    func everyIdlerHearsEveryChangeOnce(homeShardSessions: Int) async throws {
        let server = try await MessageTestServer { $0.homeShardSessions = homeShardSessions }
        // IMAP4rev1 idlers: they hear RECENT, so the shared claim is checked too.
        var idlers: [Transcript] = []
        for _ in 0..<5 { idlers.append(try await server.client()) }
        for idler in idlers {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        let writer = try await server.client(select: nil)
        /// The RECENT count each idler heard last.
        var recent = [Int](repeating: 0, count: idlers.count)
        func expectSizeUpdate(_ exists: Int) async {
            for (index, idler) in idlers.enumerated() {
                #expect(await idler.readLine() == "* \(exists) EXISTS")
                let line = await idler.readLine() ?? ""
                let words = line.split(separator: " ")
                #expect(words.count == 3 && words[0] == "*" && words[2] == "RECENT", "\(line)")
                recent[index] = words.count == 3 ? Int(words[1]) ?? -1 : -1
            }
        }
        _ = try await writer.append(tag: "A1", plainMessage)
        await expectSizeUpdate(1)
        _ = try await writer.append(tag: "A2", plainMessage)
        await expectSizeUpdate(2)
        // Each message is recent in exactly one session: the first to hear of it.
        #expect(recent.reduce(0, +) == 2, "\(recent)")
        // Another session edits (it selects only now: the messages are claimed already,
        // and the appender keeps nothing selected, so only idlers claim the next one).
        let editor = try await server.client()
        try await editor.run("W2 STORE 1 +FLAGS.SILENT (\\Deleted)")
        for idler in idlers {
            let line = await idler.readLine() ?? ""
            #expect(line.hasPrefix("* 1 FETCH (FLAGS (\\Deleted"), "\(line)")
        }
        try await editor.run("W3 EXPUNGE")
        for idler in idlers { #expect(await idler.readLine() == "* 1 EXPUNGE") }
        _ = try await writer.append(tag: "A3", plainMessage)
        await expectSizeUpdate(2)
        // Messages 2 and 3 are left, each still recent in exactly one session.
        #expect(recent.reduce(0, +) == 2, "\(recent)")
        for idler in idlers {
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I OK IDLE terminated")
            // Nothing was held back or repeated: the client's view is the mailbox's.
            #expect(try await idler.run("N NOOP") == ["N OK NOOP completed"])
            #expect(try await idler.run("F FETCH 1:* (UID)") == [
                "* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)", "F OK FETCH completed",
            ])
        }
        await server.stop()
    }

    /// More idlers on one shard than one slice of its fan-out (the shard's loop runs
    /// between slices, so the APPEND's OK need not wait for the last idler): each
    /// hears the append once, and DONE after it works.
    @Test func aFanoutLargerThanASliceReachesEveryIdler() async throws {
        let server = try await MessageTestServer { $0.homeShardSessions = 0 }
        var idlers: [Transcript] = []
        for _ in 0..<260 {
            let idler = try await server.client(enableRev2: true)
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
            idlers.append(idler)
        }
        let writer = try await server.client(select: nil)
        let answer = try await writer.append(tag: "A1", plainMessage)
        #expect(answer.last?.hasPrefix("A1 OK") == true, "\(answer)")
        for idler in idlers { #expect(await idler.readLine() == "* 1 EXISTS") }
        for idler in idlers {
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I OK IDLE terminated")
        }
        #expect(try await idlers[0].run("N NOOP") == ["N OK NOOP completed"])
        await server.stop()
    }
}
