import Testing
@testable import Auth

@Suite struct SASLExchangeTests {
    static func b64(_ text: String) -> String { SASLBase64.encode(Array(text.utf8)) }

    @Test func plainWithInitialResponse() {
        var exchange = SASLExchange(mechanism: .plain)
        #expect(exchange.start(initialResponse: Self.b64("\0alice\0secret")) == .credentials(user: "alice", password: "secret"))
    }

    @Test func plainWithContinuationAndMatchingAuthzid() {
        var exchange = SASLExchange(mechanism: .plain)
        #expect(exchange.start(initialResponse: nil) == .challenge(""))
        #expect(exchange.respond(Self.b64("alice\0alice\0pw")) == .credentials(user: "alice", password: "pw"))
    }

    @Test func plainRefusesProxyAuthorization() {
        var exchange = SASLExchange(mechanism: .plain)
        #expect(exchange.start(initialResponse: Self.b64("root\0alice\0pw")) == .failed(.authorizationIdentityRefused))
    }

    @Test(arguments: ["not base64!", "YWJj", "=", "AA=A", Self.b64("alice\0pw"), Self.b64("\0\0pw")])
    func plainRejectsMalformed(response: String) {
        var exchange = SASLExchange(mechanism: .plain)
        #expect(exchange.start(initialResponse: response) == .failed(.malformed))
    }

    @Test func loginExchangeFollowsTheDraft() {
        var exchange = SASLExchange(mechanism: .login)
        #expect(exchange.start(initialResponse: nil) == .challenge("VXNlcm5hbWU6"))
        #expect(exchange.respond(Self.b64("alice")) == .challenge("UGFzc3dvcmQ6"))
        #expect(exchange.respond(Self.b64("secret")) == .credentials(user: "alice", password: "secret"))
        #expect(exchange.respond(Self.b64("more")) == .failed(.unexpectedResponse))
    }

    @Test func loginWithInitialResponseSkipsUserPrompt() {
        var exchange = SASLExchange(mechanism: .login)
        #expect(exchange.start(initialResponse: Self.b64("alice")) == .challenge("UGFzc3dvcmQ6"))
    }

    @Test func starCancels() {
        var exchange = SASLExchange(mechanism: .login)
        _ = exchange.start(initialResponse: nil)
        #expect(exchange.respond("*") == .failed(.cancelled))
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar", "\0\u{ff}\u{fe}"])
    func base64RoundTrip(text: String) {
        let bytes = Array(text.utf8)
        #expect(SASLBase64.decode(Array(SASLBase64.encode(bytes).utf8)) == bytes)
    }

    @Test func base64MatchesRFC4648Vectors() {
        #expect(SASLBase64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(SASLBase64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(SASLBase64.decode(Array("Zm8=".utf8)) == Array("fo".utf8))
        #expect(SASLBase64.decode(Array("Zm=8".utf8)) == nil)
    }

    @Test func mechanismNamesAreCaseInsensitive() {
        #expect(SASLMechanism(name: "plain") == .plain)
        #expect(SASLMechanism(name: "Login") == .login)
        #expect(SASLMechanism(name: "CRAM-MD5") == nil)
    }
}
