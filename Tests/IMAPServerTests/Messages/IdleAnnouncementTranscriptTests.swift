import MailStore
import Testing
@testable import IMAPServer

/// The shard's announcement table (``IdleAnnouncementTable``): appends reach idlers
/// whose clients know the mailbox as their sessions do without running the
/// sessions, and the sessions catch up before they say anything themselves. Each
/// client must hear exactly its own lines (its EXISTS, its RECENT count when it is
/// IMAP4rev1, none when it enabled IMAP4rev2), once, and afterwards see the mailbox
/// with the sequence numbers and `\Recent` flags those lines implied.
@Suite(.serialized) struct IdleAnnouncementTranscriptTests {
    /// Reads `* n EXISTS` and, for a rev1 client, `* m RECENT`; returns m (0 for rev2).
    private func expectSizeUpdate(_ idler: Transcript, exists: Int, rev1: Bool) async -> Int {
        #expect(await idler.readLine() == "* \(exists) EXISTS")
        guard rev1 else { return 0 }
        let line = await idler.readLine() ?? ""
        let words = line.split(separator: " ")
        #expect(words.count == 3 && words[0] == "*" && words[2] == "RECENT", "\(line)")
        return words.count == 3 ? Int(words[1]) ?? -1 : -1
    }

    /// Idlers that differ (IMAP4rev1 and rev2, one holding a message as `\Recent`
    /// already, one read-only) each hear their own lines from the table, and after
    /// DONE their sessions agree with what their clients were told.
    @Test(arguments: [0, 2])
    func idlersThatDifferEachHearTheirOwnLines(homeShardSessions: Int) async throws {
        let server = try await MessageTestServer { $0.homeShardSessions = homeShardSessions }
        let writer = try await server.client(select: nil)
        _ = try await writer.append(tag: "A0", plainMessage)
        // The first to select claims message 1 as \Recent: its RECENT count starts at 1.
        let claimer = try await server.client()
        let rev1 = try await server.client()
        let rev2 = try await server.client(enableRev2: true)
        let examiner = try await server.client(select: nil)
        try await examiner.run("X EXAMINE INBOX")
        let idlers: [(Transcript, rev1: Bool)] = [(claimer, true), (rev1, true), (rev2, false), (examiner, true)]
        for (idler, _) in idlers {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        let toldBefore = MailboxBroadcaster.toldByTables.load(ordering: .relaxed)
        _ = try await writer.append(tag: "A1", plainMessage)
        var recent: [Int] = []
        for (idler, isRev1) in idlers { recent.append(await expectSizeUpdate(idler, exists: 2, rev1: isRev1)) }
        // Every idler was told by the table (other suites only add to the count).
        #expect(MailboxBroadcaster.toldByTables.load(ordering: .relaxed) - toldBefore >= idlers.count)
        // The claimer kept message 1; message 2 is recent in at most one of the
        // sessions that claim (the read-only one claims nothing).
        #expect(recent[0] == 1 || recent[0] == 2, "\(recent)")
        #expect(recent[1] == 0 || recent[1] == 1, "\(recent)")
        #expect(recent[0] + recent[1] <= 2, "\(recent)")
        _ = try await writer.append(tag: "A2", plainMessage)
        var second: [Int] = []
        for (idler, isRev1) in idlers { second.append(await expectSizeUpdate(idler, exists: 3, rev1: isRev1)) }
        for (index, (idler, isRev1)) in idlers.enumerated() {
            try idler.client.send("DONE")
            // Nothing is repeated: the session adopted what the table told its client.
            #expect(await idler.readLine() == "I OK IDLE terminated")
            #expect(try await idler.run("N NOOP") == ["N OK NOOP completed"])
            let fetched = try await idler.run("F FETCH 1:* (UID FLAGS)")
            #expect(fetched.count == 4, "\(fetched)")
            #expect(fetched.last == "F OK FETCH completed")
            // A rev1 client sees \Recent on exactly as many messages as its last RECENT said.
            if isRev1 {
                let flagged = fetched.filter { $0.contains("\\Recent") }.count
                #expect(flagged == second[index], "\(fetched) against RECENT \(second[index])")
            }
        }
        await server.stop()
    }

    /// Appends told by the table, then a flag change and an expunge (which go through
    /// the sessions, each catching up first), then appends again: the sequence
    /// numbers each idler hears are its own, and DONE then IDLE again goes on from them.
    @Test func changesAfterAnnouncementsKeepTheClientsNumbers() async throws {
        let server = try await MessageTestServer { $0.homeShardSessions = 0 }
        var idlers: [Transcript] = []
        for _ in 0..<3 { idlers.append(try await server.client(enableRev2: true)) }
        for idler in idlers {
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        let writer = try await server.client(select: nil)
        for serial in 1...3 {
            _ = try await writer.append(tag: "A\(serial)", plainMessage)
            for idler in idlers { #expect(await idler.readLine() == "* \(serial) EXISTS") }
        }
        let editor = try await server.client()
        try await editor.run("W1 STORE 2 +FLAGS.SILENT (\\Deleted)")
        for idler in idlers {
            let line = await idler.readLine() ?? ""
            #expect(line.hasPrefix("* 2 FETCH (FLAGS (\\Deleted"), "\(line)")
        }
        try await editor.run("W2 EXPUNGE")
        for idler in idlers { #expect(await idler.readLine() == "* 2 EXPUNGE") }
        try await editor.run("W3 LOGOUT")
        _ = try await writer.append(tag: "A4", plainMessage)
        for idler in idlers { #expect(await idler.readLine() == "* 3 EXISTS") }
        // DONE, a look, and IDLE again: the table takes the idler back from where it is.
        try idlers[0].client.send("DONE")
        #expect(await idlers[0].readLine() == "I OK IDLE terminated")
        #expect(try await idlers[0].run("F FETCH 1:* (UID)") == [
            "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "F OK FETCH completed",
        ])
        try idlers[0].client.send("J IDLE")
        #expect(await idlers[0].readLine() == "+ idling")
        _ = try await writer.append(tag: "A5", plainMessage)
        for idler in idlers { #expect(await idler.readLine() == "* 4 EXISTS") }
        for (index, idler) in idlers.enumerated() {
            try idler.client.send("DONE")
            #expect(await idler.readLine() == (index == 0 ? "J OK IDLE terminated" : "I OK IDLE terminated"))
            #expect(try await idler.run("N NOOP") == ["N OK NOOP completed"])
            #expect(try await idler.run("F FETCH 1:* (UID)") == [
                "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "* 4 FETCH (UID 5)", "F OK FETCH completed",
            ])
        }
        await server.stop()
    }

    /// The rule that lets the table speak for a client: it knows exactly the first
    /// messages of the mailbox. A client that still numbers a message the mailbox no
    /// longer holds must be left to its session, which sends its EXPUNGE first.
    @Test(arguments: [
        (0, UID(0), [UID](), true),
        (0, UID(0), [UID(1), 2], true),
        (2, UID(2), [UID(1), 2, 3], true),
        (3, UID(3), [UID(1), 2, 3], true),  // nothing new, but the same messages
        (2, UID(3), [UID(1), 3, 4], true),  // knows 1 and 3 (it heard of 2's expunge)
        (3, UID(3), [UID(1), 3, 4], false),  // knows 1, 2, 3; 2 is gone from the view
        (3, UID(4), [UID(1), 4, 5], false),  // knows three up to 4; the view has two
        (4, UID(4), [UID(1), 2, 3], false),  // knows more than the view holds
        (1, UID(0), [UID(1)], false),
    ])
    func theTableServesOnlyClientsThatKnowAPrefix(count: Int, highest: UID, uids: [UID], expected: Bool) {
        #expect(IdleAnnouncementTable.knowsPrefix(count: count, highestUID: highest, of: uids) == expected)
    }
}
