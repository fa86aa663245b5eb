import MailStore
import Testing
@testable import IMAPServer

/// CONDSTORE (RFC 7162 section 3.1) transcripts: exact lines, as in the RFC's
/// examples. A fresh mailbox starts at HIGHESTMODSEQ 1 and each APPEND, each STORE
/// that changes flags and each EXPUNGE takes the next MODSEQ, so the numbers
/// below follow from the commands before them.
@Suite(.serialized) struct CondStoreTranscriptTests {
    private static let systemFlags = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)"

    private func uidValidity(_ transcript: Transcript, _ mailbox: String = "INBOX") async throws -> String {
        let lines = try await transcript.run("V STATUS \(mailbox) (UIDVALIDITY)")
        return String(lines[0].split(separator: " ").last!.dropLast())
    }

    /// A rev2 client with `count` messages appended to INBOX (MODSEQ 2, 3, …) and
    /// nothing selected.
    private func client(_ server: MessageTestServer, messages count: Int) async throws -> Transcript {
        let client = try await server.client(select: nil, enableRev2: true)
        for index in 0..<count { _ = try await client.append(tag: "A\(index)", plainMessage) }
        return client
    }

    @Test func enableThenEverySelectSaysHighestModSeq() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 3)
        let inbox = try await uidValidity(alice)
        let drafts = try await uidValidity(alice, "Drafts")
        #expect(try await alice.run("E1 ENABLE CONDSTORE") == ["* ENABLED CONDSTORE", "E1 OK ENABLE completed"])
        // Already on: nothing newly enabled (RFC 5161 3.1).
        #expect(try await alice.run("E2 ENABLE CONDSTORE") == ["* ENABLED", "E2 OK ENABLE completed"])
        #expect(try await alice.run("S1 SELECT INBOX") == [
            "* 3 EXISTS",
            "* OK [UIDVALIDITY \(inbox)] UIDs valid",
            "* OK [UIDNEXT 4] Predicted next UID",
            "* FLAGS \(Self.systemFlags)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
            "* OK [HIGHESTMODSEQ 4] Highest",
            "* LIST () \"/\" INBOX",
            "S1 OK [READ-WRITE] SELECT completed",
        ])
        #expect(try await alice.run("S2 EXAMINE Drafts") == [
            "* OK [CLOSED] Previous mailbox closed",
            "* 0 EXISTS",
            "* OK [UIDVALIDITY \(drafts)] UIDs valid",
            "* OK [UIDNEXT 1] Predicted next UID",
            "* FLAGS \(Self.systemFlags)",
            "* OK [PERMANENTFLAGS ()] No permanent flags permitted",
            "* OK [HIGHESTMODSEQ 1] Highest",
            "* LIST () \"/\" Drafts",
            "S2 OK [READ-ONLY] EXAMINE completed",
        ])
        await server.stop()
    }

    /// SELECT (CONDSTORE) enables it by itself (RFC 7162 3.1.8) for an IMAP4rev1
    /// client; a plain SELECT before it says no HIGHESTMODSEQ.
    @Test func selectWithCondStoreParameterEnablesIt() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(select: nil)
        _ = try await alice.append(tag: "A1", plainMessage)
        let inbox = try await uidValidity(alice)
        let plain = try await alice.run("S1 EXAMINE INBOX")
        #expect(!plain.contains { $0.contains("HIGHESTMODSEQ") }, "\(plain)")
        #expect(try await alice.run("S2 SELECT INBOX (CONDSTORE)") == [
            "* OK [CLOSED] Previous mailbox closed",
            "* 1 EXISTS",
            "* 1 RECENT",
            "* OK [UNSEEN 1] First unseen",
            "* OK [UIDVALIDITY \(inbox)] UIDs valid",
            "* OK [UIDNEXT 2] Predicted next UID",
            "* FLAGS \(Self.systemFlags)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
            "* OK [HIGHESTMODSEQ 2] Highest",
            "S2 OK [READ-WRITE] SELECT completed",
        ])
        // From now on FLAGS come with MODSEQ (and \Recent, for this rev1 client).
        #expect(try await alice.run("F1 FETCH 1 (FLAGS)") == [
            "* 1 FETCH (FLAGS (\\Recent) MODSEQ (2))", "F1 OK FETCH completed",
        ])
        await server.stop()
    }

    /// The first enabling command with a mailbox selected sends its HIGHESTMODSEQ
    /// first (RFC 7162 3.1, Example 5); MODSEQ and CHANGEDSINCE (3.1.4).
    @Test func fetchModSeqAndChangedSince() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 3)
        _ = try await alice.run("S SELECT INBOX")
        #expect(try await alice.run("F0 FETCH 1 (FLAGS)") == ["* 1 FETCH (FLAGS ())", "F0 OK FETCH completed"])
        #expect(try await alice.run("F1 FETCH 1:3 (MODSEQ)") == [
            "* OK [HIGHESTMODSEQ 4] Highest",
            "* 1 FETCH (MODSEQ (2))", "* 2 FETCH (MODSEQ (3))", "* 3 FETCH (MODSEQ (4))",
            "F1 OK FETCH completed",
        ])
        #expect(try await alice.run("S1 STORE 2 +FLAGS (\\Flagged)") == [
            "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (5))", "S1 OK STORE completed",
        ])
        #expect(try await alice.run("F2 FETCH 1:* (FLAGS) (CHANGEDSINCE 3)") == [
            "* 2 FETCH (FLAGS (\\Flagged) MODSEQ (5))", "* 3 FETCH (FLAGS () MODSEQ (4))", "F2 OK FETCH completed",
        ])
        #expect(try await alice.run("F3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4)") == [
            "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (5))", "F3 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F4 UID FETCH 1:* (UID) (CHANGEDSINCE 5)") == ["F4 OK UID FETCH completed"])
        // Setting \Seen by a fetch reports UID, MODSEQ and FLAGS (RFC 7162 3.2.4).
        #expect(try await alice.run("F5 FETCH 3 (BODY[TEXT])") == [
            "* 3 FETCH (BODY[TEXT] {9}", "Hi Bob.", " UID 3 MODSEQ (6) FLAGS (\\Seen))", "F5 OK FETCH completed",
        ])
        #expect(try await alice.run("F6 FETCH 1 (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)") == [
            "F6 BAD CHANGEDSINCE given twice",
        ])
        #expect(try await alice.run("F7 UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)") == [
            "F7 BAD VANISHED needs ENABLE QRESYNC",
        ])
        #expect(try await alice.run("F8 FETCH 1 (FLAGS) (CHANGEDSINCE 0)").last?.hasPrefix("F8 BAD") == true)
        await server.stop()
    }

    /// The first enabling command during a FETCH that may not hear an expunge yet:
    /// the HIGHESTMODSEQ it sends stays below that expunge's MODSEQ (RFC 7162 3.2),
    /// so a client that caches it will still learn of the expunge.
    @Test func firstHighestModSeqStaysBelowAnUntoldExpunge() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 3)
        _ = try await alice.run("S SELECT INBOX")
        let bob = try await server.client(enableRev2: true)
        #expect(try await bob.run("B1 STORE 2 +FLAGS.SILENT (\\Deleted)") == ["B1 OK STORE completed"])
        #expect(try await bob.run("B2 EXPUNGE") == ["* 2 EXPUNGE", "B2 OK EXPUNGE completed"])
        #expect(try await alice.run("F1 FETCH 1 (MODSEQ)") == [
            "* OK [HIGHESTMODSEQ 5] Highest", "* 1 FETCH (MODSEQ (2))", "F1 OK FETCH completed",
        ])
        #expect(try await alice.run("N1 NOOP") == ["* 2 EXPUNGE", "N1 OK NOOP completed"])
        await server.stop()
    }

    /// The same when the untold expunge is old enough for the store to have merged
    /// it into a run with others (thousands expunged since): the store then knows
    /// only a lower bound of its MODSEQ, and the value stays below that bound.
    @Test func firstHighestModSeqStaysBelowAnUntoldExpungeOnceMerged() async throws {
        let server = try await MessageTestServer()
        let inbox = try await server.server.context.store.user("alice").mailbox(named: "INBOX")
        for _ in 0..<43 { _ = try await inbox.append((0..<100).map { _ in NewMessage(plainMessage) }) }
        let alice = try await server.client(enableRev2: true)
        try await inbox.remove(uids: UIDSet([1...1]))
        #expect(try await alice.run("N1 NOOP") == ["* 1 EXPUNGE", "N1 OK NOOP completed"])
        // UID 2 goes, then 2,099 scattered messages: more than the history keeps
        // exact, so UID 2 merges with its neighbours 1 (told) and 3.
        try await inbox.remove(uids: UIDSet([2...2]))
        let untold = inbox.view().highestModSeq
        try await inbox.remove(uids: UIDSet(uids: stride(from: 3, through: 4_199, by: 2).map { UID($0) }))
        #expect(inbox.view().vanished(since: untold).contains(2), "UID 2 merged with a later expunge")

        // Not UID FETCH: that one may hear expunges first (RFC 9051 7.5.1).
        let lines = try await alice.run("F1 FETCH 4299 (MODSEQ)")
        let highest = try #require(lines.first?.split(separator: " ").dropFirst(3).first.flatMap { ModSeq($0.dropLast()) })
        #expect(lines.first?.hasPrefix("* OK [HIGHESTMODSEQ ") == true && highest < untold, "\(lines)")
        await server.stop()
    }

    /// Without CONDSTORE nothing changes: no MODSEQ in FETCH or STORE responses.
    @Test func withoutCondStoreResponsesHaveNoModSeq() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 2)
        _ = try await alice.run("S SELECT INBOX")
        #expect(try await alice.run("S1 STORE 1 +FLAGS (\\Seen)") == ["* 1 FETCH (FLAGS (\\Seen))", "S1 OK STORE completed"])
        #expect(try await alice.run("S2 STORE 2 +FLAGS.SILENT (\\Seen)") == ["S2 OK STORE completed"])
        #expect(try await alice.run("F1 FETCH 1:2 (UID FLAGS)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 2 FLAGS (\\Seen))", "F1 OK FETCH completed",
        ])
        await server.stop()
    }

    /// STORE with CONDSTORE on, and UNCHANGEDSINCE (RFC 7162 3.1.3): a FETCH with
    /// MODSEQ even for .SILENT, MODIFIED with sequence numbers for STORE and UIDs
    /// for UID STORE, and UNCHANGEDSINCE 0 failing for every message.
    @Test func storeAndUnchangedSince() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 3)
        _ = try await alice.run("S SELECT INBOX (CONDSTORE)")
        #expect(try await alice.run("S1 STORE 1 +FLAGS.SILENT (\\Seen)") == [
            "* 1 FETCH (UID 1 MODSEQ (5))", "S1 OK STORE completed",
        ])
        // Nothing changed, nothing to say for .SILENT; without it the flags as they are.
        #expect(try await alice.run("S2 STORE 1 +FLAGS.SILENT (\\Seen)") == ["S2 OK STORE completed"])
        #expect(try await alice.run("S3 STORE 1 +FLAGS (\\Seen)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))", "S3 OK STORE completed",
        ])
        // Messages 1 (MODSEQ 5) and 3 (MODSEQ 4) fail UNCHANGEDSINCE 3; message 2 passes.
        #expect(try await alice.run("S4 STORE 1:3 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Flagged)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))",
            "* 2 FETCH (UID 2 MODSEQ (6))",
            "* 3 FETCH (UID 3 FLAGS () MODSEQ (4))",
            "S4 OK [MODIFIED 1,3] Conditional STORE failed",
        ])
        #expect(try await alice.run("S5 UID STORE 2:3 (UNCHANGEDSINCE 4) FLAGS (\\Answered)") == [
            "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (6))",
            "* 3 FETCH (UID 3 FLAGS (\\Answered) MODSEQ (7))",
            "S5 OK [MODIFIED 2] Conditional UID STORE failed",
        ])
        // A passing UNCHANGEDSINCE with .SILENT still answers MODSEQ, changed or not.
        #expect(try await alice.run("S6 UID STORE 3 (UNCHANGEDSINCE 7) +FLAGS.SILENT (\\Answered)") == [
            "* 3 FETCH (UID 3 MODSEQ (7))", "S6 OK UID STORE completed",
        ])
        // UNCHANGEDSINCE 0 always fails (RFC 7162 3.1.3, Example 8).
        #expect(try await alice.run("S7 STORE 2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)") == [
            "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (6))", "S7 OK [MODIFIED 2] Conditional STORE failed",
        ])
        #expect(try await alice.run("S8 STORE 2 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) +FLAGS ($X)") == [
            "S8 BAD UNCHANGEDSINCE given twice",
        ])
        await server.stop()
    }

    /// UNCHANGEDSINCE on a session without CONDSTORE enables it: HIGHESTMODSEQ
    /// first, then the STORE's own answers (RFC 7162 Example 5).
    @Test func unchangedSinceIsAnEnablingCommand() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 1)
        _ = try await alice.run("S SELECT INBOX")
        #expect(try await alice.run("S1 STORE 1 (UNCHANGEDSINCE 2) -FLAGS.SILENT (\\Deleted)") == [
            "* OK [HIGHESTMODSEQ 2] Highest", "* 1 FETCH (UID 1 MODSEQ (2))", "S1 OK STORE completed",
        ])
        await server.stop()
    }

    /// Two sessions on one mailbox: B's STORE reaches A with UID and MODSEQ, and A's
    /// STORE UNCHANGEDSINCE made before it heard of B's change fails for that message.
    @Test func anotherSessionsChangeCarriesModSeqAndFailsUnchangedSince() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 2)
        _ = try await alice.run("S SELECT INBOX (CONDSTORE)")
        let bob = try await server.client(enableRev2: true)
        #expect(try await bob.run("B1 STORE 1 +FLAGS.SILENT (\\Seen)") == ["B1 OK STORE completed"])
        #expect(try await alice.run("N1 NOOP") == ["* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (4))", "N1 OK NOOP completed"])
        #expect(try await bob.run("B2 STORE 2 +FLAGS.SILENT ($Junk)") == ["B2 OK STORE completed"])
        // Alice believes message 2 is still at MODSEQ 3: the store is refused for it,
        // and she hears its flags once, in the STORE's answer.
        #expect(try await alice.run("A1 UID STORE 1:2 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Flagged)") == [
            "* 2 FETCH (UID 2 FLAGS ($Junk) MODSEQ (5))",
            "* 1 FETCH (UID 1 MODSEQ (6))",
            "* 2 FETCH (UID 2 FLAGS ($Junk) MODSEQ (5))",
            "A1 OK [MODIFIED 2] Conditional UID STORE failed",
        ])
        #expect(try await alice.run("N2 NOOP") == ["N2 OK NOOP completed"])
        #expect(try await bob.run("N3 NOOP") == ["* 1 FETCH (FLAGS (\\Seen \\Flagged))", "N3 OK NOOP completed"])
        await server.stop()
    }

    /// SEARCH MODSEQ: `(MODSEQ n)` ends a non-empty SEARCH response (RFC 7162
    /// 3.1.5); ESEARCH says MODSEQ, of MIN / MAX alone when only those are asked
    /// (RFC 4731 3.2); a saved result answers nothing and keeps working with `$`.
    @Test func searchModSeq() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(select: nil)
        for tag in ["A1", "A2", "A3"] { _ = try await alice.append(tag: tag, plainMessage) }
        _ = try await alice.run("S SELECT INBOX")
        _ = try await alice.run("S1 STORE 1 +FLAGS.SILENT (\\Seen)")
        #expect(try await alice.run("Q1 SEARCH MODSEQ 4") == [
            "* OK [HIGHESTMODSEQ 5] Highest", "* SEARCH 1 3 (MODSEQ 5)", "Q1 OK SEARCH completed",
        ])
        #expect(try await alice.run("Q2 SEARCH MODSEQ 6") == ["* SEARCH", "Q2 OK SEARCH completed"])
        #expect(try await alice.run("Q3 UID SEARCH MODSEQ \"/flags/\\\\draft\" all 3") == [
            "* SEARCH 1 2 3 (MODSEQ 5)", "Q3 OK UID SEARCH completed",
        ])
        #expect(try await alice.run("Q4 SEARCH RETURN (MIN) MODSEQ 2") == [
            "* ESEARCH (TAG \"Q4\") MIN 1 MODSEQ 5", "Q4 OK SEARCH completed",
        ])
        #expect(try await alice.run("Q5 SEARCH RETURN (MAX) MODSEQ 2") == [
            "* ESEARCH (TAG \"Q5\") MAX 3 MODSEQ 4", "Q5 OK SEARCH completed",
        ])
        #expect(try await alice.run("Q6 SEARCH RETURN (ALL) MODSEQ 3") == [
            "* ESEARCH (TAG \"Q6\") ALL 1:3 MODSEQ 5", "Q6 OK SEARCH completed",
        ])
        #expect(try await alice.run("Q7 SEARCH RETURN (COUNT) NOT MODSEQ 5") == [
            "* ESEARCH (TAG \"Q7\") COUNT 2 MODSEQ 4", "Q7 OK SEARCH completed",
        ])
        #expect(try await alice.run("Q8 SEARCH RETURN (ALL) MODSEQ 9") == ["* ESEARCH (TAG \"Q8\")", "Q8 OK SEARCH completed"])
        #expect(try await alice.run("Q9 SEARCH RETURN (SAVE) MODSEQ 4") == ["Q9 OK SEARCH completed"])
        #expect(try await alice.run("F1 FETCH $ (FLAGS)") == [
            "* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (5))", "* 3 FETCH (FLAGS (\\Recent) MODSEQ (4))", "F1 OK FETCH completed",
        ])
        await server.stop()
    }

    /// STATUS (HIGHESTMODSEQ) (RFC 7162 3.1.7) is an enabling command too: with a
    /// mailbox selected it first tells that mailbox's HIGHESTMODSEQ.
    @Test func statusHighestModSeq() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 2)
        _ = try await alice.run("S EXAMINE Drafts")
        #expect(try await alice.run("T1 STATUS INBOX (MESSAGES HIGHESTMODSEQ)") == [
            "* OK [HIGHESTMODSEQ 1] Highest", "* STATUS INBOX (MESSAGES 2 HIGHESTMODSEQ 3)", "T1 OK STATUS completed",
        ])
        #expect(try await alice.run("T2 STATUS INBOX (HIGHESTMODSEQ)") == [
            "* STATUS INBOX (HIGHESTMODSEQ 3)", "T2 OK STATUS completed",
        ])
        await server.stop()
    }

    /// An idler hears another session's flag change with UID and MODSEQ.
    @Test func idleHearsFlagChangesWithModSeq() async throws {
        let server = try await MessageTestServer()
        let alice = try await client(server, messages: 2)
        _ = try await alice.run("S SELECT INBOX (CONDSTORE)")
        let bob = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        _ = try await bob.append(tag: "B0", plainMessage)
        #expect(await alice.readLine() == "* 3 EXISTS")
        #expect(try await bob.run("B1 STORE 2 +FLAGS.SILENT (\\Answered)") == ["B1 OK STORE completed"])
        #expect(await alice.readLine() == "* 2 FETCH (UID 2 FLAGS (\\Answered) MODSEQ (5))")
        try alice.client.send("DONE")
        #expect(await alice.readLine() == "I OK IDLE terminated")
        await server.stop()
    }

    /// MODSEQs are the store's, on disk: after a restart HIGHESTMODSEQ, each
    /// message's MODSEQ and CHANGEDSINCE answer as before, and new changes go on
    /// from there.
    @Test func modSeqsSurviveARestart() async throws {
        let first = try await MessageTestServer()
        let alice = try await client(first, messages: 3)
        _ = try await alice.run("S SELECT INBOX (CONDSTORE)")
        _ = try await alice.run("S1 STORE 2 +FLAGS.SILENT (\\Flagged)")
        _ = try await alice.run("S2 STORE 3 +FLAGS.SILENT (\\Deleted)")
        _ = try await alice.run("X EXPUNGE")
        alice.client.disconnect()
        await first.stopKeepingData()
        let server = try await MessageTestServer(reusing: first.directory)
        let again = try await server.client(select: nil, enableRev2: true)
        #expect(try await again.run("T STATUS INBOX (HIGHESTMODSEQ)") == [
            "* STATUS INBOX (HIGHESTMODSEQ 7)", "T OK STATUS completed",
        ])
        let lines = try await again.run("S SELECT INBOX (CONDSTORE)")
        #expect(lines.contains("* OK [HIGHESTMODSEQ 7] Highest"), "\(lines)")
        #expect(try await again.run("F1 FETCH 1:* (MODSEQ)") == [
            "* 1 FETCH (MODSEQ (2))", "* 2 FETCH (MODSEQ (5))", "F1 OK FETCH completed",
        ])
        #expect(try await again.run("F2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 2)") == [
            "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (5))", "F2 OK UID FETCH completed",
        ])
        #expect(try await again.run("S3 STORE 1 +FLAGS.SILENT (\\Seen)") == [
            "* 1 FETCH (UID 1 MODSEQ (8))", "S3 OK STORE completed",
        ])
        await server.stop()
    }
}
