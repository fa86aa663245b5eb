import Testing
@testable import IMAPServer

/// LOGIN, AUTHENTICATE PLAIN/LOGIN with and without SASL-IR, failures, and
/// plaintext refusal on connections that are not private.
@Suite struct AuthenticationTranscriptTests {
    static let postLogin = AnyStateTranscriptTests.postLogin

    @Test func loginSucceedsAndFails() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 LOGIN alice wrong
            S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
            C: a2 LOGIN nobody secret
            S: a2 NO [AUTHENTICATIONFAILED] Authentication failed
            C: a3 LOGIN alice
            S: a3 BAD expected a space
            C: a4 LOGIN "alice" {6}
            S: + Ready for literal
            C: secret
            S: a4 OK [CAPABILITY \(Self.postLogin)] Logged in
            C: a5 LIST "" INBOX
            S: * LIST (\\HasNoChildren) "/" INBOX
            S: a5 OK LIST completed
            """)
        await server.stop()
    }

    @Test func authenticatePlainWithInitialResponse() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        // "\0alice\0secret" and "\0alice\0nope"
        try await runTranscript(client, """
            C: a1 AUTHENTICATE PLAIN AGFsaWNlAG5vcGU=
            S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
            C: a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
            S: a2 OK [CAPABILITY \(Self.postLogin)] Logged in
            """)
        await server.stop()
    }

    @Test func authenticatePlainWithContinuationAndCancel() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 AUTHENTICATE PLAIN
            S: + 
            C: *
            S: a1 BAD Authentication cancelled
            C: a2 AUTHENTICATE PLAIN
            S: + 
            C: not base64!
            S: a2 BAD Malformed SASL response
            C: a3 AUTHENTICATE PLAIN
            S: + 
            C: AGFsaWNlAHNlY3JldA==
            S: a3 OK [CAPABILITY \(Self.postLogin)] Logged in
            """)
        await server.stop()
    }

    @Test func authenticateLoginMechanism() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        // VXNlcm5hbWU6 = "Username:", UGFzc3dvcmQ6 = "Password:", Ym9i = "bob", aHVudGVyMg== = "hunter2"
        try await runTranscript(client, """
            C: a1 AUTHENTICATE LOGIN
            S: + VXNlcm5hbWU6
            C: Ym9i
            S: + UGFzc3dvcmQ6
            C: aHVudGVyMg==
            S: a1 OK [CAPABILITY \(Self.postLogin)] Logged in
            """)
        await server.stop()
    }

    @Test func authenticateLoginWithInitialResponseAndUnknownMechanism() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 AUTHENTICATE CRAM-MD5
            S: a1 NO [CANNOT] Unsupported authentication mechanism CRAM-MD5
            C: a2 AUTHENTICATE LOGIN Ym9i
            S: + UGFzc3dvcmQ6
            C: aHVudGVyMg==
            S: a2 OK [CAPABILITY \(Self.postLogin)] Logged in
            """)
        await server.stop()
    }

    @Test func plaintextRefusedWhenTheConnectionIsNotPrivate() async throws {
        let server = try await TestServer { $0.loopbackIsPrivate = false }
        let client = try TranscriptClient(port: server.port)
        try await runTranscript(client, """
            S: * OK [CAPABILITY \(Capabilities.base(appendLimit: ServerSettings().appendLimit).joined(separator: " ")) LOGINDISABLED] Mailshard ready
            C: a1 LOGIN alice secret
            S: a1 NO [PRIVACYREQUIRED] Plaintext authentication is not allowed on this connection
            C: a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
            S: a2 NO [PRIVACYREQUIRED] Plaintext authentication is not allowed on this connection
            C: a3 SELECT INBOX
            S: a3 BAD SELECT not allowed: log in first
            """)
        await server.stop()
    }

    @Test func operatorMayAllowPlaintext() async throws {
        let server = try await TestServer {
            $0.loopbackIsPrivate = false
            $0.allowPlaintextAuthentication = true
        }
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 LOGIN alice secret
            S: a1 OK [CAPABILITY \(Self.postLogin)] Logged in
            """)
        await server.stop()
    }

    @Test func failedLoginsAreThrottledPerAddress() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        for index in 1...3 {
            try await runTranscript(client, """
                C: f\(index) LOGIN alice nope
                S: f\(index) NO [AUTHENTICATIONFAILED] Authentication failed
                """)
        }
        #expect(server.server.context.throttle.failures(address: "127.0.0.1") == 3)
        await server.stop()
    }
}
