import Testing
@testable import IMAPServer

/// CREATE (with USE), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS and
/// mailbox-name encodings.
@Suite struct MailboxTranscriptTests {
    @Test func createDeleteRename() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CREATE Work/Projects/
            S: a1 OK CREATE completed
            C: a2 CREATE Work
            S: a2 NO [ALREADYEXISTS] Mailbox already exists
            C: a3 CREATE inbox
            S: a3 NO [ALREADYEXISTS] Mailbox already exists
            C: a4 LIST "" Work*
            S: * LIST (\\HasChildren) "/" Work
            S: * LIST (\\HasNoChildren) "/" Work/Projects
            S: a4 OK LIST completed
            C: a5 RENAME Work Jobs
            S: a5 OK RENAME completed
            C: a6 LIST "" J*
            S: * LIST (\\HasChildren) "/" Jobs
            S: * LIST (\\HasNoChildren) "/" Jobs/Projects
            S: * LIST (\\HasNoChildren \\Junk) "/" Junk
            S: a6 OK LIST completed
            C: a7 RENAME Work Other
            S: a7 NO [NONEXISTENT] Mailbox does not exist
            C: a8 RENAME Jobs Junk
            S: a8 NO [ALREADYEXISTS] Mailbox already exists
            C: a9 DELETE Jobs/Projects
            S: a9 OK DELETE completed
            C: a10 DELETE Jobs/Projects
            S: a10 NO [NONEXISTENT] Mailbox does not exist
            C: a11 DELETE INBOX
            S: a11 NO [CANNOT] INBOX cannot be deleted
            C: a12 CREATE "a/../b"
            S: a12 NO [CANNOT] Invalid mailbox name
            C: a13 CREATE
            S: a13 BAD expected a space
            C: a14 RENAME Jobs
            S: a14 BAD expected a space
            C: a15 DELETE "Jobs"
            S: a15 OK DELETE completed
            C: a16 LIST "" Jobs*
            S: a16 OK LIST completed
            """)
        await server.stop()
    }

    @Test func renameInboxMovesItsMessages() async throws {
        let server = try await TestServer()
        try await server.plant(2)
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 RENAME INBOX Old
            S: a1 OK RENAME completed
            C: a2 STATUS Old (MESSAGES)
            S: * STATUS Old (MESSAGES 2)
            S: a2 OK STATUS completed
            C: a3 STATUS INBOX (MESSAGES UIDNEXT)
            S: * STATUS INBOX (MESSAGES 0 UIDNEXT 1)
            S: a3 OK STATUS completed
            """)
        await server.stop()
    }

    @Test func createWithSpecialUse() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CREATE Everything (USE (\\All))
            S: a1 OK CREATE completed
            C: a2 CREATE Odd (USE (\\Bogus))
            S: a2 NO [USEATTR] Unsupported special use \\Bogus
            C: a3 CREATE Two (USE (\\Sent \\Trash))
            S: a3 NO [USEATTR] Unsupported special use \\Sent \\Trash
            C: a4 LIST (SPECIAL-USE) "" *
            S: * LIST (\\HasNoChildren \\Archive) "/" Archive
            S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
            S: * LIST (\\HasNoChildren \\All) "/" Everything
            S: * LIST (\\HasNoChildren \\Junk) "/" Junk
            S: * LIST (\\HasNoChildren \\Sent) "/" Sent
            S: * LIST (\\HasNoChildren \\Trash) "/" Trash
            S: a4 OK LIST completed
            C: a5 LIST "" Odd
            S: a5 OK LIST completed
            """)
        await server.stop()
    }

    @Test func subscribeAndLSub() async throws {
        let server = try await TestServer()
        let user = try await server.user()
        for name in ["Archive", "Drafts", "Junk", "Sent", "Trash"] { try await user.unsubscribe(name) }
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 SUBSCRIBE INBOX
            S: a1 OK SUBSCRIBE completed
            C: a2 SUBSCRIBE Gone
            S: a2 OK SUBSCRIBE completed
            C: a3 LSUB "" *
            S: * LSUB () "/" INBOX
            S: * LSUB () "/" Gone
            S: a3 OK LSUB completed
            C: a4 UNSUBSCRIBE Gone
            S: a4 OK UNSUBSCRIBE completed
            C: a5 LSUB "" %
            S: * LSUB () "/" INBOX
            S: a5 OK LSUB completed
            C: a6 LSUB "" ""
            S: * LSUB (\\Noselect) "/" ""
            S: a6 OK LSUB completed
            """)
        await server.stop()
    }

    @Test func statusItems() async throws {
        let server = try await TestServer()
        try await server.plant(3, flags: [.seen])
        try await server.plant(1, flags: [.deleted])
        let validity = try await server.uidValidity("INBOX")
        let size = try await server.user().mailbox(named: "INBOX").status().size
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT)
            S: * STATUS INBOX (MESSAGES 4 UIDNEXT 5 UIDVALIDITY \(validity) UNSEEN 1 DELETED 1 SIZE \(size) RECENT 4)
            S: a1 OK STATUS completed
            C: a2 STATUS Nowhere (MESSAGES)
            S: a2 NO [NONEXISTENT] Mailbox does not exist
            C: a3 STATUS INBOX (HIGHESTMODSEQ)
            S: * STATUS INBOX (HIGHESTMODSEQ 5)
            S: a3 OK STATUS completed
            C: a4 STATUS INBOX (BOGUS)
            S: a4 BAD unknown status item BOGUS
            C: a5 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: a5 OK ENABLE completed
            C: a6 STATUS INBOX (RECENT)
            S: a6 BAD Unsupported STATUS item RECENT
            C: a7 STATUS INBOX ()
            S: a7 BAD expected an atom
            """)
        await server.stop()
    }

    @Test func namesAreModifiedUTF7ForRev1AndUTF8ForRev2() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CREATE &ANw-bung
            S: a1 OK CREATE completed
            C: a2 LIST "" &ANw-*
            S: * LIST (\\HasNoChildren) "/" &ANw-bung
            S: a2 OK LIST completed
            C: a3 CREATE "Tom &- Jerry"
            S: a3 OK CREATE completed
            C: a4 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: a4 OK ENABLE completed
            C: a5 LIST "" *
            S: * LIST (\\HasNoChildren) "/" INBOX
            S: * LIST (\\HasNoChildren \\Archive) "/" Archive
            S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
            S: * LIST (\\HasNoChildren \\Junk) "/" Junk
            S: * LIST (\\HasNoChildren \\Sent) "/" Sent
            S: * LIST (\\HasNoChildren) "/" "Tom & Jerry"
            S: * LIST (\\HasNoChildren \\Trash) "/" Trash
            S: * LIST (\\HasNoChildren) "/" "Übung"
            S: a5 OK LIST completed
            C: a6 STATUS "Übung" (MESSAGES)
            S: * STATUS "Übung" (MESSAGES 0)
            S: a6 OK STATUS completed
            """)
        #expect(try await server.user().info("Übung") != nil)
        await server.stop()
    }
}
