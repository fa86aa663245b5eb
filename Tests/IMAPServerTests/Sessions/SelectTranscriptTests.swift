import MailStore
import Testing
@testable import IMAPServer

/// SELECT, EXAMINE, CLOSE, UNSELECT and CHECK for IMAP4rev1 and IMAP4rev2 clients.
@Suite struct SelectTranscriptTests {
    @Test func selectForRev1Client() async throws {
        let server = try await TestServer()
        try await server.plant(2, flags: [.seen])
        try await server.plant(1)
        let validity = try await server.uidValidity("INBOX")
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 SELECT inbox
            S: * 3 EXISTS
            S: * 3 RECENT
            S: * OK [UNSEEN 3] First unseen
            S: * OK [UIDVALIDITY \(validity)] UIDs valid
            S: * OK [UIDNEXT 4] Predicted next UID
            S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
            S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted
            S: a1 OK [READ-WRITE] SELECT completed
            C: a2 CHECK
            S: a2 OK CHECK completed
            C: a3 UNSELECT
            S: a3 OK UNSELECT completed
            C: a4 CHECK
            S: a4 BAD CHECK not allowed: no mailbox selected
            """)
        await server.stop()
    }

    @Test func examineIsReadOnly() async throws {
        let server = try await TestServer()
        let validity = try await server.uidValidity("Sent")
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 EXAMINE Sent
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * OK [UIDVALIDITY \(validity)] UIDs valid
            S: * OK [UIDNEXT 1] Predicted next UID
            S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
            S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
            S: a1 OK [READ-ONLY] EXAMINE completed
            C: a2 CLOSE
            S: a2 OK CLOSE completed
            """)
        await server.stop()
    }

    @Test func selectForRev2ClientAndReselect() async throws {
        let server = try await TestServer()
        try await server.plant(1)
        let inbox = try await server.uidValidity("INBOX")
        let drafts = try await server.uidValidity("Drafts")
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a0 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: a0 OK ENABLE completed
            C: a1 SELECT INBOX
            S: * 1 EXISTS
            S: * OK [UIDVALIDITY \(inbox)] UIDs valid
            S: * OK [UIDNEXT 2] Predicted next UID
            S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
            S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted
            S: * LIST () "/" INBOX
            S: a1 OK [READ-WRITE] SELECT completed
            C: a2 EXAMINE Drafts
            S: * OK [CLOSED] Previous mailbox closed
            S: * 0 EXISTS
            S: * OK [UIDVALIDITY \(drafts)] UIDs valid
            S: * OK [UIDNEXT 1] Predicted next UID
            S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
            S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
            S: * LIST () "/" Drafts
            S: a2 OK [READ-ONLY] EXAMINE completed
            C: a3 SELECT Nowhere
            S: * OK [CLOSED] Previous mailbox closed
            S: a3 NO [NONEXISTENT] Mailbox does not exist
            C: a4 CLOSE
            S: a4 BAD CLOSE not allowed: no mailbox selected
            """)
        await server.stop()
    }

    @Test func selectErrors() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 SELECT Nowhere
            S: a1 NO [NONEXISTENT] Mailbox does not exist
            C: a2 SELECT
            S: a2 BAD expected a space
            C: a3 SELECT INBOX (X-UNKNOWN)
            S: a3 BAD SELECT parameter not supported
            C: a4 SELECT "a&AB"
            S: a4 NO [CANNOT] Mailbox name is not valid modified UTF-7
            """)
        await server.stop()
    }

    @Test func closeExpungesDeletedSilentlyAndUnselectDoesNot() async throws {
        let server = try await TestServer()
        try await server.plant(2, flags: [.deleted])
        try await server.plant(1)
        try await server.plant(1, in: "Archive", flags: [.deleted])
        let client = try await server.loggedIn()
        try client.send("a1 SELECT INBOX")
        var line = await client.nextLine()
        while let current = line, !current.hasPrefix("a1 ") { line = await client.nextLine() }
        try await runTranscript(client, """
            C: a2 CLOSE
            S: a2 OK CLOSE completed
            C: a3 STATUS INBOX (MESSAGES DELETED)
            S: * STATUS INBOX (MESSAGES 1 DELETED 0)
            S: a3 OK STATUS completed
            """)
        try client.send("a4 SELECT Archive")
        line = await client.nextLine()
        while let current = line, !current.hasPrefix("a4 ") { line = await client.nextLine() }
        try await runTranscript(client, """
            C: a5 UNSELECT
            S: a5 OK UNSELECT completed
            C: a6 STATUS Archive (MESSAGES DELETED)
            S: * STATUS Archive (MESSAGES 1 DELETED 1)
            S: a6 OK STATUS completed
            C: a7 EXAMINE Archive
            """)
        line = await client.nextLine()
        while let current = line, !current.hasPrefix("a7 ") { line = await client.nextLine() }
        try await runTranscript(client, """
            C: a8 CLOSE
            S: a8 OK CLOSE completed
            C: a9 STATUS Archive (MESSAGES)
            S: * STATUS Archive (MESSAGES 1)
            S: a9 OK STATUS completed
            """)
        await server.stop()
    }
}
