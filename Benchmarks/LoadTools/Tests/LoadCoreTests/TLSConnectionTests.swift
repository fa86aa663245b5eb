#if canImport(Glibc)
import Glibc
#endif
import CLoadTLS
import Foundation
import IMAPCodec
import Testing
@testable import LoadCore

/// The project's test-only certificate for localhost and 127.0.0.1 (Tests/TLSFixtures).
enum TLSFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/TLSFixtures")
    static let certificate = directory.appendingPathComponent("localhost-cert.pem").path
    static let key = directory.appendingPathComponent("localhost-key.pem").path
}

/// A one-connection implicit-TLS server on `address`: the handshake with the fixture
/// certificate, then the greeting and one scripted reply per command line, each
/// written as records of at most `recordSize` bytes so responses and literals cross
/// record boundaries. A failed handshake just ends the connection.
final class TLSScriptedServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(address: String = "127.0.0.1", greeting: String, replies: [String], recordSize: Int = 1000) throws {
        guard let context = SSL_CTX_new(TLS_server_method()),
            SSL_CTX_use_certificate_chain_file(context, TLSFixture.certificate) == 1,
            SSL_CTX_use_PrivateKey_file(context, TLSFixture.key, SSL_FILETYPE_PEM) == 1
        else { throw LoadError("test", "cannot load the fixture certificate from \(TLSFixture.directory.path)") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = inet_addr(address)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LoadError("test", "cannot listen on \(address)") }
        listener = fd
        port = UInt16(bigEndian: socketAddress.sin_port)
        let done = finished
        let contextAddress = UInt(bitPattern: context)
        Thread {
            let context = OpaquePointer(bitPattern: contextAddress)
            let client = accept(fd, nil, nil)
            let ssl = SSL_new(context)
            defer { SSL_free(ssl); SSL_CTX_free(context); close(client); done.signal() }
            SSL_set_fd(ssl, client)
            guard SSL_accept(ssl) == 1 else { return }
            func write(_ text: String) {
                let bytes = Array(text.utf8)
                for start in stride(from: 0, to: bytes.count, by: recordSize) {
                    let piece = bytes[start..<min(start + recordSize, bytes.count)]
                    _ = piece.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
                }
            }
            write(greeting)
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            for reply in replies {
                while !pending.contains(0x0A) {
                    let count = SSL_read(ssl, &buffer, Int32(buffer.count))
                    if count <= 0 { return }
                    pending += buffer[0..<Int(count)]
                }
                pending.removeSubrange(0...pending.firstIndex(of: 0x0A)!)
                write(reply)
            }
        }.start()
    }

    func wait() {
        finished.wait()
        close(listener)
    }
}

@Suite("Client connection over implicit TLS")
struct TLSConnectionTests {
    @Test func runsCommandsOverAVerifiedSession() throws {
        let body = String(repeating: "b", count: 50_000)
        let server = try TLSScriptedServer(
            greeting: "* OK [CAPABILITY IMAP4rev1 IMAP4rev2] ready\r\n",
            replies: [
                "a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE] logged in\r\n",
                "* 1 FETCH (UID 7 BODY[] {\(body.utf8.count)}\r\n\(body))\r\na2 OK fetched\r\n",
                "* BYE logging out\r\na3 OK done\r\n",
            ])
        defer { server.wait() }
        let context = try ClientTLSContext(trustedCertificates: TLSFixture.certificate)
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port, tls: context)
        #expect(connection.socket.isTLS)
        try connection.login(user: "u", password: "p")
        #expect(connection.hasCapability("IDLE"))
        let fetched = try connection.execute(.fetch(FetchCommand(
            byUID: false, set: .ranges([SequenceRange(.number(1))]), attributes: [.uid, .bodySection(.whole, partial: nil, peek: true)])))
        let bytes = try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1], items: [.uid, .body], bodySize: body.utf8.count)
        #expect(bytes == UInt64(body.utf8.count))
        #expect(try connection.execute(.logout).status.kind == .ok)
        connection.close()
    }

    /// The certificate names 127.0.0.1, not 127.0.0.2: a checking client refuses it.
    @Test func refusesACertificateForAnotherAddress() throws {
        let server = try TLSScriptedServer(address: "127.0.0.2", greeting: "* OK ready\r\n", replies: [])
        defer { server.wait() }
        let context = try ClientTLSContext(trustedCertificates: TLSFixture.certificate)
        #expect(failureKind { _ = try IMAPConnection(host: "127.0.0.2", port: server.port, tls: context) } == "tls")
    }

    /// Without a CA file nothing is checked (a load run against any server's certificate).
    @Test func acceptsAnyCertificateWithoutACAFile() throws {
        let server = try TLSScriptedServer(address: "127.0.0.2", greeting: "* OK ready\r\n", replies: [])
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.2", port: server.port, tls: try ClientTLSContext(trustedCertificates: nil))
        connection.close()
    }

    /// A plaintext server answers the ClientHello with its greeting: the handshake fails.
    @Test func aPlaintextServerFailsTheHandshake() throws {
        let server = try ScriptedServer(greeting: "* OK plaintext greeting\r\n", replies: [])
        defer { server.wait() }
        let kind = failureKind { _ = try IMAPConnection(host: "127.0.0.1", port: server.port, tls: try ClientTLSContext(trustedCertificates: nil)) }
        #expect(kind == "tls" || kind == "closed")
    }

    @Test func anUnreadableCAFileIsATLSError() {
        #expect(failureKind { _ = try ClientTLSContext(trustedCertificates: "/nonexistent/ca.pem") } == "tls")
    }
}
