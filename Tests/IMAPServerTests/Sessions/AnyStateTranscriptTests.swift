import Testing
@testable import IMAPServer

/// CAPABILITY, NOOP, LOGOUT, ID, ENABLE, NAMESPACE, unknown commands and state
/// errors, as transcripts against an in-process server.
@Suite struct AnyStateTranscriptTests {
    static let preLogin = Capabilities.list(authenticated: false, plaintextAllowed: true, appendLimit: ServerSettings().appendLimit).joined(separator: " ")
    static let postLogin = Capabilities.list(authenticated: true, plaintextAllowed: true, appendLimit: ServerSettings().appendLimit).joined(separator: " ")

    /// The advertised list, spelled out: a capability is added or dropped only on
    /// purpose (the transcripts below derive their lines from `Capabilities`).
    @Test func advertisedCapabilitiesAreExactlyTheImplementedOnes() {
        #expect(Self.postLogin == "IMAP4rev1 IMAP4rev2 ENABLE ID NAMESPACE UNSELECT LIST-EXTENDED LIST-STATUS "
            + "SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE IDLE UIDPLUS MOVE ESEARCH SEARCHRES BINARY MULTIAPPEND "
            + "LITERAL+ APPENDLIMIT=67108864 COMPRESS=DEFLATE CONDSTORE QRESYNC")
        #expect(Self.preLogin == Self.postLogin + " SASL-IR AUTH=PLAIN AUTH=LOGIN")
        #expect(Capabilities.list(authenticated: false, plaintextAllowed: false, appendLimit: 1000).last == "LOGINDISABLED")
        #expect(Capabilities.list(authenticated: true, plaintextAllowed: true, appendLimit: 1000).contains("APPENDLIMIT=1000"))
    }

    @Test func greetingCapabilityNoopLogout() async throws {
        let server = try await TestServer()
        let client = try TranscriptClient(port: server.port)
        try await runTranscript(client, """
            S: * OK [CAPABILITY \(Self.preLogin)] Mailshard ready
            C: a1 CAPABILITY
            S: * CAPABILITY \(Self.preLogin)
            S: a1 OK CAPABILITY completed
            C: a2 NOOP
            S: a2 OK NOOP completed
            C: a3 LOGOUT
            S: * BYE Logging out
            S: a3 OK LOGOUT completed
            """)
        #expect(await client.closedByServer())
        await server.stop()
    }

    @Test func capabilityAfterLoginDropsAuthMechanisms() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: a1 CAPABILITY
            S: * CAPABILITY \(Self.postLogin)
            S: a1 OK CAPABILITY completed
            C: a2 NOOP
            S: a2 OK NOOP completed
            C: a3 LOGOUT
            S: * BYE Logging out
            S: a3 OK LOGOUT completed
            """)
        #expect(await client.closedByServer())
        await server.stop()
    }

    @Test func idInEveryState() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 ID ("name" "test" "version" "1")
            S: * ID ("name" "Mailshard" "vendor" "Mailshard")
            S: a1 OK ID completed
            C: a2 ID NIL
            S: * ID ("name" "Mailshard" "vendor" "Mailshard")
            S: a2 OK ID completed
            C: a3 LOGIN alice secret
            S: a3 OK [CAPABILITY \(Self.postLogin)] Logged in
            C: a4 ID NIL
            S: * ID ("name" "Mailshard" "vendor" "Mailshard")
            S: a4 OK ID completed
            C: a5 ID (
            S: a5 BAD expected a literal
            """)
        await server.stop()
    }

    @Test func enable() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 ENABLE IMAP4rev2
            S: a1 BAD ENABLE not allowed: log in first
            C: a2 LOGIN alice secret
            S: a2 OK [CAPABILITY \(Self.postLogin)] Logged in
            C: a3 ENABLE X-UNKNOWN
            S: * ENABLED
            S: a3 OK ENABLE completed
            C: a4 ENABLE imap4rev2 X-UNKNOWN
            S: * ENABLED IMAP4rev2
            S: a4 OK ENABLE completed
            C: a5 ENABLE IMAP4rev2
            S: * ENABLED
            S: a5 OK ENABLE completed
            C: a6 ENABLE
            S: a6 BAD ENABLE needs a capability
            C: a7 SELECT INBOX
            C: a8 ENABLE IMAP4rev2
            C: a9 LSUB "" *
            C: a10 UNSELECT
            C: a11 LSUB "" *
            S: * 0 EXISTS
            """)
        // The rest of the SELECT output is SelectTranscriptTests' business.
        var line = await client.nextLine()
        while let current = line, !current.hasPrefix("a7 ") { line = await client.nextLine() }
        try await runTranscript(client, """
            S: a8 BAD ENABLE not allowed while a mailbox is selected
            S: a9 BAD LSUB is not part of IMAP4rev2
            S: a10 OK UNSELECT completed
            S: a11 BAD LSUB is not part of IMAP4rev2
            """)
        await server.stop()
    }

    @Test func namespace() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 NAMESPACE
            S: a1 BAD NAMESPACE not allowed: log in first
            C: a2 LOGIN alice secret
            S: a2 OK [CAPABILITY \(Self.postLogin)] Logged in
            C: a3 NAMESPACE
            S: * NAMESPACE (("" "/")) NIL NIL
            S: a3 OK NAMESPACE completed
            """)
        await server.stop()
    }

    @Test func wrongStateAndUnknownCommands() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 SELECT INBOX
            S: a1 BAD SELECT not allowed: log in first
            C: a2 LIST "" *
            S: a2 BAD LIST not allowed: log in first
            C: a3 FETCH 1 FLAGS
            S: a3 BAD FETCH not allowed: log in first
            C: a4 CLOSE
            S: a4 BAD CLOSE not allowed: log in first
            C: a5 FROB
            S: a5 BAD Unknown command FROB
            C: a6 LOGIN alice secret
            S: a6 OK [CAPABILITY \(Self.postLogin)] Logged in
            C: a7 LOGIN alice secret
            S: a7 BAD LOGIN not allowed: already authenticated
            C: a8 AUTHENTICATE PLAIN
            S: a8 BAD AUTHENTICATE not allowed: already authenticated
            C: a9 FETCH 1 FLAGS
            S: a9 BAD FETCH not allowed: no mailbox selected
            C: a10 UID FETCH 1 FLAGS
            S: a10 BAD UID FETCH not allowed: no mailbox selected
            C: a11 CLOSE
            S: a11 BAD CLOSE not allowed: no mailbox selected
            C: a12 UNSELECT
            S: a12 BAD UNSELECT not allowed: no mailbox selected
            C: a13 CHECK
            S: a13 BAD CHECK not allowed: no mailbox selected
            C: a14 EXPUNGE
            S: a14 BAD EXPUNGE not allowed: no mailbox selected
            C: a15 STARTTLS
            S: a15 BAD STARTTLS not allowed: already authenticated
            C: a16 FROB
            S: a16 BAD Unknown command FROB
            """)
        await server.stop()
    }

    /// The message commands run only in the states RFC 9051 allows, and an
    /// EXAMINEd mailbox refuses changes (their behaviour: MessageTranscriptTests).
    @Test func messageCommandsFollowTheStateRules() async throws {
        let server = try await TestServer()
        let client = try await server.loggedIn()
        try await runTranscript(client, """
            C: b1 FETCH 1:* FLAGS
            S: b1 BAD FETCH not allowed: no mailbox selected
            C: b2 UID EXPUNGE 1
            S: b2 BAD UID EXPUNGE not allowed: no mailbox selected
            C: a3 EXAMINE INBOX
            """)
        var line = await client.nextLine()
        while let current = line, !current.hasPrefix("a3 ") { line = await client.nextLine() }
        try await runTranscript(client, """
            C: b3 STORE 1:* +FLAGS (\\Seen)
            S: b3 NO [READ-ONLY] Mailbox is read-only
            C: b4 EXPUNGE
            S: b4 NO [READ-ONLY] Mailbox is read-only
            C: b5 SEARCH ALL
            S: * SEARCH
            S: b5 OK SEARCH completed
            """)
        await server.stop()
    }
}
