import Foundation
import Testing
@testable import IMAPServer

/// STARTTLS and implicit TLS (RFC 9051 6.2.1, RFC 8314) with the test-only
/// certificate, on connections that are not private without TLS (loopback is
/// treated as remote), so plaintext logins are refused until TLS is on.
@Suite(.serialized) struct TLSTranscriptTests {
    static let base = Capabilities.base(appendLimit: ServerSettings().appendLimit).joined(separator: " ")

    private func tlsServer() async throws -> TestServer {
        try await TestServer {
            $0.loopbackIsPrivate = false
            $0.tlsCertificateFile = TLSFixture.certificate
            $0.tlsKeyFile = TLSFixture.key
        }
    }

    @Test func startTLSMakesTheConnectionPrivate() async throws {
        let server = try await tlsServer()
        let client = try TranscriptClient(port: server.port)
        try await runTranscript(client, """
            S: * OK [CAPABILITY \(Self.base) STARTTLS LOGINDISABLED] Mailshard ready
            C: a1 LOGIN alice secret
            S: a1 NO [PRIVACYREQUIRED] Plaintext authentication is not allowed on this connection
            C: a2 STARTTLS
            S: a2 OK Begin TLS negotiation now
            """)
        try client.startTLS()
        try await runTranscript(client, """
            C: a3 CAPABILITY
            S: * CAPABILITY \(Self.base) SASL-IR AUTH=PLAIN AUTH=LOGIN
            S: a3 OK CAPABILITY completed
            C: a4 STARTTLS
            S: a4 BAD TLS is already active
            C: a5 LOGIN alice secret
            S: a5 OK [CAPABILITY \(Self.base)] Logged in
            C: a6 STARTTLS
            S: a6 BAD STARTTLS not allowed: already authenticated
            C: a7 SELECT INBOX
            """)
        // The session moved to its home shard with its TLS layer: it goes on.
        var line = await client.nextLine()
        while let current = line, !current.hasPrefix("a7 ") { line = await client.nextLine() }
        #expect(line?.hasPrefix("a7 OK [READ-WRITE]") == true, "\(line ?? "nil")")
        try await runTranscript(client, """
            C: a8 LOGOUT
            S: * BYE Logging out
            S: a8 OK LOGOUT completed
            """)
        await server.stop()
    }

    /// Plaintext sent behind STARTTLS before the handshake is thrown away: it
    /// must never run as if it had come through TLS (CERT VU#555316).
    @Test func commandsInjectedBehindStartTLSNeverRun() async throws {
        let server = try await tlsServer()
        let client = try await server.connect()
        try client.sendRaw(Array("a1 STARTTLS\r\nb1 LOGIN alice secret\r\n".utf8))
        #expect(await client.nextLine() == "a1 OK Begin TLS negotiation now")
        try client.startTLS()
        try await runTranscript(client, """
            C: a2 NOOP
            S: a2 OK NOOP completed
            C: a3 SELECT INBOX
            S: a3 BAD SELECT not allowed: log in first
            """)
        await server.stop()
    }

    @Test func implicitTLSGreetsAfterTheHandshake() async throws {
        let server = try await tlsServer()
        let port = try await server.server.listenImplicitTLS(port: 0)
        let client = try TranscriptClient(port: port)
        try client.startTLS()
        try await runTranscript(client, """
            S: * OK [CAPABILITY \(Self.base) SASL-IR AUTH=PLAIN AUTH=LOGIN] Mailshard ready
            C: a1 STARTTLS
            S: a1 BAD TLS is already active
            C: a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
            S: a2 OK [CAPABILITY \(Self.base)] Logged in
            C: a3 COMPRESS DEFLATE
            S: a3 OK DEFLATE active
            """)
        // COMPRESS above TLS: compressed first, then encrypted.
        try client.compress()
        try await runTranscript(client, """
            C: a4 NOOP
            S: a4 OK NOOP completed
            C: a5 LOGOUT
            S: * BYE Logging out
            S: a5 OK LOGOUT completed
            """)
        await server.stop()
    }

    @Test func withoutACertificateStartTLSIsNotOffered() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 STARTTLS
            S: a1 BAD STARTTLS is not offered: no certificate is configured
            """)
        await #expect(throws: ServerStartError.self) { try await server.server.listenImplicitTLS(port: 0) }
        await server.stop()
    }
}
