import Testing
@testable import IMAPServer

/// QRESYNC (RFC 7162 section 3.2) transcripts: ENABLE, SELECT (QRESYNC …) with
/// VANISHED (EARLIER) and the changed flags, UID FETCH (CHANGEDSINCE … VANISHED),
/// and VANISHED instead of EXPUNGE everywhere once enabled. A fresh mailbox starts
/// at HIGHESTMODSEQ 1; each APPEND, flag change and EXPUNGE takes the next MODSEQ.
@Suite(.serialized) struct QResyncTranscriptTests {
    private func uidValidity(_ transcript: Transcript, _ mailbox: String = "INBOX") async throws -> String {
        let lines = try await transcript.run("V STATUS \(mailbox) (UIDVALIDITY)")
        return String(lines[0].split(separator: " ").last!.dropLast())
    }

    /// A rev2 client with QRESYNC enabled, `count` messages in INBOX (MODSEQ 2, 3,
    /// …), nothing selected.
    private func client(_ server: MessageTestServer, messages count: Int) async throws -> Transcript {
        let client = try await server.client(select: nil, enableRev2: true)
        #expect(try await client.run("Q ENABLE QRESYNC") == ["* ENABLED QRESYNC", "Q OK ENABLE completed"])
        for index in 0..<count { _ = try await client.append(tag: "A\(index)", plainMessage) }
        return client
    }

    /// Alice (QRESYNC on) has INBOX's four messages selected; Bob then expunges
    /// message 2, which Alice has not been told of.
    private func afterAnotherSessionExpunges(_ server: MessageTestServer) async throws -> (alice: Transcript, bob: Transcript) {
        let alice = try await client(server, messages: 4)
        _ = try await alice.run("S SELECT INBOX")
        let bob = try await server.client(enableRev2: true)
        _ = try await bob.run("B1 STORE 2 +FLAGS.SILENT (\\Deleted)")
        _ = try await bob.run("B2 EXPUNGE")
        return (alice, bob)
    }

    /// SELECT INBOX's usual lines for a rev2 client with CONDSTORE on, without the tagged OK.
    private func selectLines(
        exists: Int, validity: String, uidNext: Int, highest: Int, keywords: String = "", closed: Bool = false
    ) -> [String] {
        (closed ? ["* OK [CLOSED] Previous mailbox closed"] : []) + [
            "* \(exists) EXISTS",
            "* OK [UIDVALIDITY \(validity)] UIDs valid",
            "* OK [UIDNEXT \(uidNext)] Predicted next UID",
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft\(keywords))",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft\(keywords) \\*)] Flags permitted",
            "* OK [HIGHESTMODSEQ \(highest)] Highest",
            "* LIST () \"/\" INBOX",
        ]
    }

    @Test func enableListsWhatItEnabled() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(select: nil)
        #expect(try await alice.run("E1 ENABLE QRESYNC CONDSTORE") == [
            "* ENABLED QRESYNC CONDSTORE", "E1 OK ENABLE completed",
        ])
        #expect(try await alice.run("E2 ENABLE CONDSTORE QRESYNC") == ["* ENABLED", "E2 OK ENABLE completed"])
        let bob = try await server.client(select: nil)
        #expect(try await bob.run("E3 ENABLE CONDSTORE") == ["* ENABLED CONDSTORE", "E3 OK ENABLE completed"])
        #expect(try await bob.run("E4 ENABLE QRESYNC") == ["* ENABLED QRESYNC", "E4 OK ENABLE completed"])
        await server.stop()
    }

    /// QRESYNC's parameter and VANISHED modifier need ENABLE QRESYNC (3.2.5, 3.2.6);
    /// VANISHED only on UID FETCH, with CHANGEDSINCE; known UIDs are explicit.
    @Test func misuseIsRefused() async throws {
        let server = try await MessageTestServer()
        let plain = try await server.client(select: "INBOX", enableRev2: true)
        #expect(try await plain.run("S1 SELECT INBOX (QRESYNC (1 1))") == ["S1 BAD QRESYNC needs ENABLE QRESYNC first"])
        // A refused SELECT leaves the selection as it was.
        #expect(try await plain.run("N1 NOOP") == ["N1 OK NOOP completed"])
        #expect(try await plain.run("F1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)") == [
            "F1 BAD VANISHED needs ENABLE QRESYNC",
        ])
        let alice = try await client(server, messages: 1)
        _ = try await alice.run("S SELECT INBOX")
        #expect(try await alice.run("F2 FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)") == ["F2 BAD VANISHED is for UID FETCH only"])
        #expect(try await alice.run("F3 UID FETCH 1:* (FLAGS) (VANISHED)") == ["F3 BAD VANISHED needs CHANGEDSINCE"])
        #expect(try await alice.run("S2 SELECT INBOX (QRESYNC (1 1 1:*))") == ["S2 BAD Known UIDs must be explicit UIDs"])
        #expect(try await alice.run("S3 SELECT INBOX (QRESYNC (1 1 1:5 (1:2 4)))") == [
            "S3 BAD Sequence match data must pair explicit numbers with UIDs",
        ])
        await server.stop()
    }

    /// Once QRESYNC is on, EXPUNGE, UID EXPUNGE and MOVE answer VANISHED with UIDs,
    /// EXPUNGE's OK carries the expunge's MODSEQ (3.2.7, 3.2.9), CLOSE stays silent.
    @Test func ownExpungesAreVanished() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 6)
        let archive = try await uidValidity(alice, "Archive")
        _ = try await alice.run("S SELECT INBOX")
        #expect(try await alice.run("D1 STORE 2,4,5 +FLAGS.SILENT (\\Deleted)") == [
            "* 2 FETCH (UID 2 MODSEQ (8))", "* 4 FETCH (UID 4 MODSEQ (8))", "* 5 FETCH (UID 5 MODSEQ (8))",
            "D1 OK STORE completed",
        ])
        #expect(try await alice.run("X1 UID EXPUNGE 1:4") == ["* VANISHED 2,4", "X1 OK [HIGHESTMODSEQ 9] UID EXPUNGE completed"])
        #expect(try await alice.run("X2 EXPUNGE") == ["* VANISHED 5", "X2 OK [HIGHESTMODSEQ 10] EXPUNGE completed"])
        #expect(try await alice.run("X3 EXPUNGE") == ["X3 OK EXPUNGE completed"])
        #expect(try await alice.run("M1 MOVE 2 Archive") == [
            "* OK [COPYUID \(archive) 3 1] Moved UIDs", "* VANISHED 3", "M1 OK MOVE completed",
        ])
        #expect(try await alice.run("F1 FETCH 1:* (UID)") == ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 6)", "F1 OK FETCH completed"])
        #expect(try await alice.run("D2 STORE 1 +FLAGS.SILENT (\\Deleted)") == ["* 1 FETCH (UID 1 MODSEQ (12))", "D2 OK STORE completed"])
        #expect(try await alice.run("C1 CLOSE") == ["C1 OK CLOSE completed"])
        await server.stop()
    }

    /// The two-session resync: A knows the mailbox at some MODSEQ; B changes flags
    /// and expunges; A's SELECT (QRESYNC …) hears VANISHED (EARLIER) and the changed
    /// flags (3.2.5.1), restricted to the UIDs it names; a wrong UIDVALIDITY gets a
    /// plain SELECT.
    @Test func reselectWithQResyncAfterAnotherSessionsChanges() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 5)
        let validity = try await uidValidity(alice)
        var lines = try await alice.run("S1 SELECT INBOX")
        #expect(lines == selectLines(exists: 5, validity: validity, uidNext: 6, highest: 6) + ["S1 OK [READ-WRITE] SELECT completed"])
        let bob = try await server.client(enableRev2: true)
        #expect(try await bob.run("B1 STORE 1 +FLAGS.SILENT (\\Seen)") == ["B1 OK STORE completed"])
        #expect(try await bob.run("B2 STORE 3,5 +FLAGS.SILENT (\\Deleted)") == ["B2 OK STORE completed"])
        #expect(try await bob.run("B3 EXPUNGE") == ["* 3 EXPUNGE", "* 4 EXPUNGE", "B3 OK EXPUNGE completed"])
        #expect(try await bob.run("B4 STORE 2 +FLAGS.SILENT ($Done)") == ["B4 OK STORE completed"])
        // Alice reselects from her cache (MODSEQ 6), without hearing the old selection's news.
        lines = try await alice.run("S2 SELECT INBOX (QRESYNC (\(validity) 6))")
        #expect(lines == selectLines(exists: 3, validity: validity, uidNext: 6, highest: 10, keywords: " $Done", closed: true) + [
            "* VANISHED (EARLIER) 3,5",
            "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (7))",
            "* 2 FETCH (UID 2 FLAGS ($Done) MODSEQ (10))",
            "S2 OK [READ-WRITE] SELECT completed",
        ])
        // Only the UIDs she names; later MODSEQ, fewer changes.
        lines = try await alice.run("S3 EXAMINE INBOX (QRESYNC (\(validity) 8 2:3))")
        #expect(lines.suffix(3) == [
            "* VANISHED (EARLIER) 3", "* 2 FETCH (UID 2 FLAGS ($Done) MODSEQ (10))", "S3 OK [READ-ONLY] EXAMINE completed",
        ])
        // Sequence match data: message 2 is UID 2, so she knows every expunge up to it;
        // message 3 is not UID 3, so nothing above 2 is excused.
        lines = try await alice.run("S4 SELECT INBOX (QRESYNC (\(validity) 6 1:5 (2:3 2:3)))")
        #expect(lines.suffix(4) == [
            "* VANISHED (EARLIER) 3,5",
            "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (7))",
            "* 2 FETCH (UID 2 FLAGS ($Done) MODSEQ (10))",
            "S4 OK [READ-WRITE] SELECT completed",
        ])
        // All three pairs match: only what vanished above UID 4 is told.
        lines = try await alice.run("S5 SELECT INBOX (QRESYNC (\(validity) 6 1:5 (1:3 1,2,4)))")
        #expect(lines.suffix(4) == [
            "* VANISHED (EARLIER) 5",
            "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (7))",
            "* 2 FETCH (UID 2 FLAGS ($Done) MODSEQ (10))",
            "S5 OK [READ-WRITE] SELECT completed",
        ])
        // Another UIDVALIDITY: as if no parameter had been given.
        lines = try await alice.run("S6 SELECT INBOX (QRESYNC (1 6))")
        #expect(lines == selectLines(exists: 3, validity: validity, uidNext: 6, highest: 10, keywords: " $Done", closed: true)
            + ["S6 OK [READ-WRITE] SELECT completed"])
        await server.stop()
    }

    /// Another session's expunge reaches a QRESYNC client as VANISHED between
    /// commands and during UID commands, never during FETCH / STORE / SEARCH
    /// (3.2.10.2), and in IDLE.
    @Test func othersExpungesAreVanishedWhenTheyMayBeSent() async throws {
        let server = try await MessageTestServer()
        let (alice, bob) = try await afterAnotherSessionExpunges(server)
        // During FETCH the expunge waits; message 2 keeps its number but is gone, so
        // neither its flag change nor its UID is told (RFC 9051 7.5.1 lets it be left out).
        #expect(try await alice.run("F1 FETCH 2 (UID)") == ["F1 OK FETCH completed"])
        #expect(try await alice.run("F2 UID FETCH 3 (UID)") == ["* VANISHED 2", "* 2 FETCH (UID 3)", "F2 OK UID FETCH completed"])
        _ = try await bob.run("B3 STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = try await bob.run("B4 EXPUNGE")
        // A flag change of a message that is gone by now is not told.
        #expect(try await alice.run("N1 NOOP") == ["* VANISHED 1", "N1 OK NOOP completed"])
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        _ = try await bob.run("B5 STORE 1 +FLAGS.SILENT (\\Deleted)")
        #expect(await alice.readLine() == "* 1 FETCH (UID 3 FLAGS (\\Deleted) MODSEQ (10))")
        _ = try await bob.run("B6 EXPUNGE")
        #expect(await alice.readLine() == "* VANISHED 3")
        try alice.client.send("DONE")
        #expect(await alice.readLine() == "I OK IDLE terminated")
        #expect(try await alice.run("F3 FETCH 1:* (UID)") == ["* 1 FETCH (UID 4)", "F3 OK FETCH completed"])
        await server.stop()
    }

    /// A UID SEARCH with sequence numbers in its criteria means the messages the
    /// client knows: it hears no VANISHED before it runs (3.2.10.2); one without
    /// them does.
    @Test func uidSearchWithSequenceNumbersHearsNoVanished() async throws {
        let server = try await MessageTestServer()
        let (alice, _) = try await afterAnotherSessionExpunges(server)
        // 2:3 are the client's messages 2 and 3 (UIDs 2 and 3; 2 is gone), not 3 and 4.
        #expect(try await alice.run("U1 UID SEARCH RETURN (ALL) NOT (1,4) 2:3") == ["* ESEARCH (TAG \"U1\") UID ALL 3", "U1 OK UID SEARCH completed"])
        #expect(try await alice.run("U2 UID SEARCH RETURN (ALL) UID 1:*") == [
            "* VANISHED 2", "* ESEARCH (TAG \"U2\") UID ALL 1,3:4", "U2 OK UID SEARCH completed",
        ])
        await server.stop()
    }

    /// UID FETCH (CHANGEDSINCE n VANISHED): VANISHED (EARLIER) first, then the
    /// changed messages (3.2.6); `*` reaches expunged UIDs above the last message.
    @Test func uidFetchVanished() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 5)
        _ = try await alice.run("S SELECT INBOX")
        _ = try await alice.run("D STORE 2,5 +FLAGS.SILENT (\\Deleted)")
        #expect(try await alice.run("X EXPUNGE") == ["* VANISHED 2,5", "X OK [HIGHESTMODSEQ 8] EXPUNGE completed"])
        _ = try await alice.run("T UID STORE 3 +FLAGS.SILENT (\\Answered)")
        #expect(try await alice.run("F1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)") == [
            "* VANISHED (EARLIER) 2,5",
            "* 2 FETCH (UID 3 FLAGS (\\Answered) MODSEQ (9))",
            "F1 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F2 UID FETCH 3:4 (FLAGS) (CHANGEDSINCE 8 VANISHED)") == [
            "* 2 FETCH (UID 3 FLAGS (\\Answered) MODSEQ (9))", "F2 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F3 UID FETCH 1:2 (FLAGS) (CHANGEDSINCE 1 VANISHED)") == [
            "* VANISHED (EARLIER) 2", "* 1 FETCH (UID 1 FLAGS () MODSEQ (2))", "F3 OK UID FETCH completed",
        ])
        await server.stop()
    }

    /// The expunge history is on disk: after a restart a resync still hears of
    /// what vanished before it.
    @Test func vanishedEarlierSurvivesARestart() async throws {
        let first = try await MessageTestServer()
        let alice = try await client(first, messages: 3)
        let validity = try await uidValidity(alice)
        _ = try await alice.run("S SELECT INBOX")
        _ = try await alice.run("D STORE 2 +FLAGS.SILENT (\\Deleted)")
        _ = try await alice.run("X EXPUNGE")
        alice.client.disconnect()
        await first.stopKeepingData()
        let server = try await MessageTestServer(reusing: first.directory)
        let again = try await server.client(select: nil, enableRev2: true)
        _ = try await again.run("Q ENABLE QRESYNC")
        let lines = try await again.run("S SELECT INBOX (QRESYNC (\(validity) 3))")
        #expect(lines.suffix(3) == [
            "* VANISHED (EARLIER) 2", "* 2 FETCH (UID 3 FLAGS () MODSEQ (4))", "S OK [READ-WRITE] SELECT completed",
        ])
        await server.stop()
    }
}
