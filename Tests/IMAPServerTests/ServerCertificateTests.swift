#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ShardRuntime
import Testing
@testable import IMAPServer

/// A certificate and key in a directory of their own (a copy of the test pair at
/// first), replaced the way an ACME client renews them: new files renamed into place.
private struct CertificateFiles {
    let directory: String
    var certificate: String { directory + "/cert.pem" }
    var key: String { directory + "/key.pem" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/mailshard-cert-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TLSFixture.certificate, toPath: certificate)
        try FileManager.default.copyItem(atPath: TLSFixture.key, toPath: key)
    }

    /// Makes a new self-signed pair for localhost and 127.0.0.1 beside the live
    /// files; returns (certificate, key) paths, not yet in place.
    func makePair(_ name: String) throws -> (certificate: String, key: String) {
        let pair = (certificate: "\(directory)/\(name)-cert.pem", key: "\(directory)/\(name)-key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key, "-out", pair.certificate, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return pair
    }

    /// Renames a copy of `source` over `target` (a new inode, as renewals make).
    func install(_ source: String, as target: String) throws {
        let staged = target + ".new"
        try? FileManager.default.removeItem(atPath: staged)
        try FileManager.default.copyItem(atPath: source, toPath: staged)
        guard rename(staged, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Renews both files (key first, as the pair must end up matching) with a new
    /// pair; returns it (its certificate is what a client must trust now).
    @discardableResult
    func renew(_ name: String) throws -> (certificate: String, key: String) {
        let pair = try makePair(name)
        try install(pair.key, as: key)
        try install(pair.certificate, as: certificate)
        return pair
    }

    func serverCertificate(recheckInterval: Duration = .zero) throws -> ServerCertificate {
        try ServerCertificate(certificateFile: certificate, keyFile: key, recheckInterval: recheckInterval, logger: Logger(label: "test"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Whether a client trusting only `trustedCertificates` completes a handshake with
/// a server layer on `context` (both sides in memory).
private func handshakes(with context: TLSContext, trusting trustedCertificates: String) throws -> Bool {
    let server = try TLSLayer(context: context)
    let client = try TLSLayer(context: TLSContext(clientTrusting: trustedCertificates, serverName: "localhost"))
    var toServer = try client.start()
    do {
        for _ in 0..<10 where !client.isHandshakeComplete || !server.isHandshakeComplete {
            var toClient: [UInt8] = []
            _ = try server.decode(toServer, reply: &toClient)
            toServer = []
            _ = try client.decode(toClient, reply: &toServer)
        }
    } catch is TLSError {
        return false
    }
    return client.isHandshakeComplete && server.isHandshakeComplete
}

/// The certificate is re-read when its files change, so a renewal needs no
/// restart; a pair caught halfway keeps the last good one serving.
@Suite struct ServerCertificateTests {
    @Test func keepsItsContextWhileTheFilesStayTheSame() throws {
        let files = try CertificateFiles()
        defer { files.remove() }
        let certificate = try files.serverCertificate()
        let first = certificate.context
        #expect(certificate.context === first)
        #expect(try handshakes(with: first, trusting: TLSFixture.certificate))
    }

    @Test func aRenewedPairServesNewHandshakes() throws {
        let files = try CertificateFiles()
        defer { files.remove() }
        let certificate = try files.serverCertificate()
        let old = certificate.context
        let renewed = try files.renew("renewed")
        let new = certificate.context
        #expect(new !== old)
        #expect(try handshakes(with: new, trusting: renewed.certificate))
        #expect(try !handshakes(with: new, trusting: TLSFixture.certificate))
        // A connection that started before keeps what it shook hands with.
        #expect(try handshakes(with: old, trusting: TLSFixture.certificate))
    }

    /// A renewal that writes the key first: until the certificate follows, the pair
    /// does not match, and the previous one keeps serving.
    @Test func aPairThatDoesNotLoadKeepsThePreviousOne() throws {
        let files = try CertificateFiles()
        defer { files.remove() }
        let certificate = try files.serverCertificate()
        let old = certificate.context
        let renewed = try files.makePair("renewed")
        try files.install(renewed.key, as: files.key)
        #expect(certificate.context === old)
        #expect(certificate.context === old)  // not retried until a file changes again
        try files.install(renewed.certificate, as: files.certificate)
        #expect(try handshakes(with: certificate.context, trusting: renewed.certificate))
    }

    @Test func aChangeIsLookedForOncePerInterval() throws {
        let files = try CertificateFiles()
        defer { files.remove() }
        let certificate = try files.serverCertificate(recheckInterval: .seconds(3600))
        let old = certificate.context
        try files.renew("renewed")
        #expect(certificate.context === old)
    }

    /// Through a running server's implicit TLS port: after the files are renewed, a
    /// new connection is offered the new certificate (within the one-second
    /// recheck) and a connection opened before goes on with the old one.
    @Test func aRunningServerPresentsTheRenewedCertificate() async throws {
        let files = try CertificateFiles()
        defer { files.remove() }
        let server = try await TestServer {
            $0.tlsCertificateFile = files.certificate
            $0.tlsKeyFile = files.key
        }
        let port = try await server.server.listenImplicitTLS(port: 0)
        let before = try TranscriptClient(port: port)
        try before.startTLS()
        #expect(await before.nextLine()?.hasPrefix("* OK [CAPABILITY") == true)

        let renewed = try files.renew("renewed")
        var presented = false
        for _ in 0..<40 where !presented {
            let client = try TranscriptClient(port: port)
            if (try? client.startTLS(trusting: renewed.certificate)) != nil {
                presented = await client.nextLine()?.hasPrefix("* OK [CAPABILITY") == true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(presented)
        try await runTranscript(before, """
            C: a1 NOOP
            S: a1 OK NOOP completed
            """)
        await server.stop()
    }
}
