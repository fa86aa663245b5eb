#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IMAPCodec
import Testing
@testable import LoadCore

/// A one-connection scripted server on 127.0.0.1: sends the greeting, then for each
/// command line it reads, sends the next scripted reply in 7-byte pieces, so responses
/// and literals arrive split at arbitrary points. With `lingers`, it keeps the
/// connection open after its last reply until the client closes, as a real server does
/// (a reader watching that socket would otherwise see the close as a failure).
final class ScriptedServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let thread: Thread
    private let finished = DispatchSemaphore(value: 0)

    init(greeting: String, replies: [String], pieceSize: Int = 7, lingers: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LoadError("test", "cannot listen") }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let done = finished
        thread = Thread {
            let client = accept(fd, nil, nil)
            defer { close(client); done.signal() }
            func sendSplit(_ text: String) {
                let bytes = Array(text.utf8)
                for start in stride(from: 0, to: bytes.count, by: pieceSize) {
                    let piece = bytes[start..<min(start + pieceSize, bytes.count)]
                    _ = piece.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    usleep(200)
                }
            }
            sendSplit(greeting)
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            for reply in replies {
                while !pending.contains(0x0A) {
                    let count = recv(client, &buffer, buffer.count, 0)
                    if count <= 0 { return }
                    pending += buffer[0..<count]
                }
                pending.removeSubrange(0...pending.firstIndex(of: 0x0A)!)
                sendSplit(reply)
            }
            while lingers, recv(client, &buffer, buffer.count, 0) > 0 {}
        }
        thread.start()
    }

    func wait() {
        finished.wait()
        close(listener)
    }
}

@Suite("Client connection on loopback")
struct ConnectionTests {
    @Test func readsSplitLiteralsAndTagsExactly() throws {
        let body = String(repeating: "x", count: 40) + "\r\n" + String(repeating: "y", count: 18)
        let server = try ScriptedServer(
            greeting: "* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] ready\r\n",
            replies: [
                "a1 OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS IDLE] logged in\r\n",
                "* 2 FETCH (UID 9 BODY[] {\(body.utf8.count)}\r\n\(body))\r\n* 3 EXISTS\r\na2 OK fetched\r\n",
                "* BYE bye\r\na3 OK done\r\n",
            ])
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port)
        #expect(connection.hasCapability("literal+"))
        try connection.login(user: "u", password: "p")
        #expect(connection.hasCapability("IDLE"))
        let fetched = try connection.execute(.fetch(FetchCommand(byUID: false, set: .ranges([SequenceRange(.number(2))]), attributes: [.uid, .bodySection(.whole, partial: nil, peek: true)])))
        let bytes = try ResponseValidator.validateFetch(fetched, sequenceNumbers: [2], items: [.uid, .body], bodySize: body.utf8.count)
        #expect(bytes == 60)
        #expect(fetched.untagged.contains(.exists(3)))
        let logout = try connection.execute(.logout)
        #expect(logout.status.kind == .ok)
        connection.close()
    }

    /// Bodies above the streaming threshold are counted, not kept, and still checked:
    /// two large literals and a small one in one response, split across reads.
    @Test func largeLiteralsAreCountedExactly() throws {
        let large = String(repeating: "z", count: 40_000)
        let larger = String(repeating: "w", count: 70_001)
        let server = try ScriptedServer(
            greeting: "* OK ready\r\n",
            replies: [
                "* 1 FETCH (BODY[] {\(large.utf8.count)}\r\n\(large) BODY[HEADER] {3}\r\nabc RFC822.TEXT {\(larger.utf8.count)}\r\n\(larger) UID 4)\r\n"
                    + "* 2 FETCH (BODY[] {\(large.utf8.count)}\r\n\(large))\r\na1 OK done\r\n",
            ],
            pieceSize: 1000)
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port, streamLiteralsAbove: 16 * 1024)
        let fetched = try connection.execute(.noop)
        let bytes = try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1, 2], items: [.body], bodySize: 40_000)
        #expect(bytes == 80_000)
        guard case .fetch(1, let items) = fetched.untagged[0] else {
            Issue.record("no FETCH for message 1")
            return
        }
        #expect(items.contains(.bodySection(SectionSpecifier(text: .header), origin: nil, .bytes(Array("abc".utf8)))))
        #expect(items.contains(.rfc822Text(.external(ExternalBytes(source: 0, offset: 0, count: 70_001)))))
        #expect(items.contains(.uid(4)))
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [2], items: [.body], bodySize: 40_001) } == "invalid FETCH")
        connection.close()
    }

    @Test func anUnexpectedByeIsAnError() throws {
        let server = try ScriptedServer(greeting: "* OK ready\r\n", replies: ["* BYE shutting down\r\n"])
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port)
        var kind: String?
        do {
            _ = try connection.execute(.noop)
        } catch {
            kind = error.kind
        }
        #expect(kind == "BYE")
        connection.close()
    }

    @Test func aRefusedLoginIsALoginError() throws {
        let server = try ScriptedServer(greeting: "* OK ready\r\n", replies: ["a1 NO [AUTHENTICATIONFAILED] nope\r\n"])
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port)
        #expect(failureKind { try connection.login(user: "u", password: "p") } == "login")
        connection.close()
    }

    @Test func aByeGreetingIsRefused() throws {
        let server = try ScriptedServer(greeting: "* BYE not yet\r\n", replies: [])
        defer { server.wait() }
        #expect(failureKind { _ = try IMAPConnection(host: "127.0.0.1", port: server.port) } == "BYE")
    }
}
