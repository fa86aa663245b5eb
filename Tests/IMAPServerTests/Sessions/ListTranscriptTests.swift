import Testing
@testable import IMAPServer

/// LIST: wildcards, references, LIST-EXTENDED selection and return options,
/// LIST-STATUS and the hierarchy-delimiter query.
@Suite struct ListTranscriptTests {
    static func serverWithTree() async throws -> (TestServer, TranscriptClient) {
        let server = try await TestServer()
        let user = try await server.user()
        try await user.create("Work/Projects/Alpha")
        try await user.create("Work/Notes")
        try await user.subscribe("Work/Projects/Alpha")
        try await user.subscribe("INBOX")
        for name in ["Archive", "Drafts", "Junk", "Sent", "Trash"] { try await user.unsubscribe(name) }
        return (server, try await server.loggedIn())
    }

    @Test func wildcardsAndReference() async throws {
        let (server, client) = try await Self.serverWithTree()
        try await runTranscript(client, """
            C: a1 LIST "" ""
            S: * LIST (\\Noselect) "/" ""
            S: a1 OK LIST completed
            C: a2 LIST "" %
            S: * LIST (\\HasNoChildren) "/" INBOX
            S: * LIST (\\HasNoChildren \\Archive) "/" Archive
            S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
            S: * LIST (\\HasNoChildren \\Junk) "/" Junk
            S: * LIST (\\HasNoChildren \\Sent) "/" Sent
            S: * LIST (\\HasNoChildren \\Trash) "/" Trash
            S: * LIST (\\HasChildren) "/" Work
            S: a2 OK LIST completed
            C: a3 LIST "" Work/%
            S: * LIST (\\HasNoChildren) "/" Work/Notes
            S: * LIST (\\HasChildren) "/" Work/Projects
            S: a3 OK LIST completed
            C: a4 LIST Work/ *
            S: * LIST (\\HasNoChildren) "/" Work/Notes
            S: * LIST (\\HasChildren) "/" Work/Projects
            S: * LIST (\\HasNoChildren) "/" Work/Projects/Alpha
            S: a4 OK LIST completed
            C: a5 LIST "" inbox
            S: * LIST (\\HasNoChildren) "/" INBOX
            S: a5 OK LIST completed
            C: a6 LIST "" *Alpha
            S: * LIST (\\HasNoChildren) "/" Work/Projects/Alpha
            S: a6 OK LIST completed
            C: a7 LIST "" (Sent Trash)
            S: * LIST (\\HasNoChildren \\Sent) "/" Sent
            S: * LIST (\\HasNoChildren \\Trash) "/" Trash
            S: a7 OK LIST completed
            C: a8 LIST "" Nothing*
            S: a8 OK LIST completed
            """)
        await server.stop()
    }

    @Test func extendedSelectionAndReturnOptions() async throws {
        let (server, client) = try await Self.serverWithTree()
        try await runTranscript(client, """
            C: a1 LIST (SUBSCRIBED) "" *
            S: * LIST (\\Subscribed \\HasNoChildren) "/" INBOX
            S: * LIST (\\Subscribed \\HasNoChildren) "/" Work/Projects/Alpha
            S: a1 OK LIST completed
            C: a2 LIST (SUBSCRIBED RECURSIVEMATCH) "" %
            S: * LIST (\\Subscribed \\HasNoChildren) "/" INBOX
            S: * LIST (\\HasChildren) "/" Work (CHILDINFO ("SUBSCRIBED"))
            S: a2 OK LIST completed
            C: a3 LIST (RECURSIVEMATCH) "" %
            S: a3 BAD RECURSIVEMATCH needs another selection option
            C: a4 LIST "" Work/* RETURN (SUBSCRIBED CHILDREN)
            S: * LIST (\\HasNoChildren) "/" Work/Notes
            S: * LIST (\\HasChildren) "/" Work/Projects
            S: * LIST (\\Subscribed \\HasNoChildren) "/" Work/Projects/Alpha
            S: a4 OK LIST completed
            C: a5 LIST "" (INBOX Work) RETURN (STATUS (MESSAGES UIDNEXT))
            S: * LIST (\\HasNoChildren) "/" INBOX
            S: * STATUS INBOX (MESSAGES 0 UIDNEXT 1)
            S: * LIST (\\HasChildren) "/" Work
            S: * STATUS Work (MESSAGES 0 UIDNEXT 1)
            S: a5 OK LIST completed
            C: a6 LIST "" INBOX RETURN (STATUS (APPENDLIMIT))
            S: a6 BAD Unsupported STATUS item APPENDLIMIT
            C: a7 SUBSCRIBE Gone
            S: a7 OK SUBSCRIBE completed
            C: a8 LIST (SUBSCRIBED) "" G*
            S: * LIST (\\NonExistent \\Subscribed) "/" Gone
            S: a8 OK LIST completed
            C: a9 LIST (REMOTE) "" Work
            S: * LIST (\\HasChildren) "/" Work
            S: a9 OK LIST completed
            """)
        await server.stop()
    }

    @Test func parentsOfOrphanedChildrenAreListedUnselectable() async throws {
        let server = try await TestServer()
        let user = try await server.user()
        try await user.create("Deep/Child")
        try await user.delete("Deep")
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 LIST "" D%
            S: * LIST (\\Noselect \\HasChildren) "/" Deep
            S: * LIST (\\HasNoChildren \\Drafts) "/" Drafts
            S: a1 OK LIST completed
            C: a2 LIST "" Deep*
            S: * LIST (\\HasNoChildren) "/" Deep/Child
            S: a2 OK LIST completed
            C: a3 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: a3 OK ENABLE completed
            C: a4 LIST "" Deep
            S: * LIST (\\NonExistent \\HasChildren) "/" Deep
            S: a4 OK LIST completed
            C: a5 SELECT Deep
            S: a5 NO [NONEXISTENT] Mailbox does not exist
            """)
        await server.stop()
    }
}
