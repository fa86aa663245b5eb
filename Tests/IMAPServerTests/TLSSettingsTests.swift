import Foundation
import Logging
import Testing
@testable import IMAPServer

/// TLS settings: both files or neither, an implicit TLS port only with them and
/// not on the plaintext port, and files that do not load stop the start.
@Suite struct TLSSettingsTests {
    @Test func filesAndPortFromTheEnvironment() async throws {
        let settings = try await ServerSettings.load(from: SettingsSource(environment: [
            "MAILSHARD_TLS_CERT_FILE": "/etc/mailshard/cert.pem", "MAILSHARD_TLS_KEY_FILE": "/etc/mailshard/key.pem",
            "MAILSHARD_LISTEN_TLS_PORT": "993",
        ]))
        #expect(settings.tlsCertificateFile == "/etc/mailshard/cert.pem")
        #expect(settings.tlsKeyFile == "/etc/mailshard/key.pem")
        #expect(settings.tlsListenPort == 993)
        #expect(settings.tlsConfigured)
        let plain = try await ServerSettings.load(from: SettingsSource(environment: [:]))
        #expect(!plain.tlsConfigured && plain.tlsListenPort == 0)
    }

    @Test(arguments: [
        (["MAILSHARD_TLS_CERT_FILE": "/c.pem"], "MAILSHARD_TLS_KEY_FILE", "without its private key"),
        (["MAILSHARD_TLS_KEY_FILE": "/k.pem"], "MAILSHARD_TLS_CERT_FILE", "without its certificate"),
        (["MAILSHARD_LISTEN_TLS_PORT": "993"], "MAILSHARD_LISTEN_TLS_PORT", "needs tls.cert-file"),
        (["MAILSHARD_TLS_CERT_FILE": "/c.pem", "MAILSHARD_TLS_KEY_FILE": "/k.pem", "MAILSHARD_LISTEN_TLS_PORT": "1143"],
         "MAILSHARD_LISTEN_TLS_PORT", "is also listen.port"),
        (["MAILSHARD_LISTEN_TLS_PORT": "65536"], "MAILSHARD_LISTEN_TLS_PORT", "outside 0...65535"),
    ])
    func halfConfiguredTLSStopsTheStart(environment: [String: String], variable: String, reason: String) async throws {
        let error = await #expect(throws: InvalidSetting.self) {
            try await ServerSettings.load(from: SettingsSource(environment: environment))
        }
        #expect(error?.description.contains(variable) == true, "\(String(describing: error))")
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func aCertificateThatDoesNotLoadStopsTheStart() throws {
        var settings = ServerSettings()
        settings.dataDirectory = FileManager.default.temporaryDirectory.path
        settings.tlsCertificateFile = "/nonexistent/cert.pem"
        settings.tlsKeyFile = TLSFixture.key
        let error = #expect(throws: ServerStartError.self) {
            _ = try MailshardServer(settings: settings, logger: Logger(label: "test"))
        }
        #expect(error?.description.contains("/nonexistent/cert.pem") == true, "\(String(describing: error))")
    }
}
