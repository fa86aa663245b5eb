#if canImport(Glibc)
import Glibc
#endif
import IMAPCodec
import Testing
@testable import LoadCore

@Suite("IDLE receive: size-update fast lane and readiness")
struct IdleReceiveTests {
    @Test(arguments: [
        ("* 3 EXISTS\r\n", [SizeUpdateScanner.Line.exists(3)]),
        ("* 3 EXISTS\r\n* 1 RECENT\r\n", [.exists(3), .recent(1)]),
        ("* 0 EXISTS\r\n", [.exists(0)]),
        ("* 4294967295 EXISTS\r\n", [.exists(4_294_967_295)]),
        ("* 007 EXISTS\r\n", [.exists(7)]),  // number = 1*DIGIT
        ("* 10 EXISTS\r\n* 11 EXISTS\r\n* 2 RECENT\r\n", [.exists(10), .exists(11), .recent(2)]),
        ("", []),
    ])
    func acceptsWholeSizeUpdateLines(text: String, expected: [SizeUpdateScanner.Line]) {
        #expect(SizeUpdateScanner.lines(in: Array(text.utf8)) == expected)
    }

    /// Anything but whole, exactly spelled size updates is left to the full parser.
    @Test(arguments: [
        "* 3 EXISTS",  // no CRLF yet: the rest of the line is in the next read
        "* 3 EXISTS\r",
        "* 3 EXISTS\n",
        "* 3 EXIST\r\n",
        "* 3 EXISTSX\r\n",
        "* 3 exists\r\n",
        "*  3 EXISTS\r\n",
        "* 3  EXISTS\r\n",
        "* EXISTS\r\n",
        "* -3 EXISTS\r\n",
        "* 4294967296 EXISTS\r\n",
        "* 99999999999999999999999 EXISTS\r\n",
        "* 3 EXPUNGE\r\n",
        "* OK Still here\r\n",
        "a1 OK done\r\n",
        "+ idling\r\n",
        "* 3 EXISTS\r\n* 2 FETCH (FLAGS (\\Seen))\r\n",
        "* 3 EXISTS\r\n* 4 EX",
    ])
    func refusesEverythingElse(text: String) {
        #expect(SizeUpdateScanner.lines(in: Array(text.utf8)) == nil)
    }

    @Test func applyingIsAllOrNothing() throws {
        var view = MailboxView(exists: 5)
        let mixed = Array("* 6 EXISTS\r\n* OK Still here\r\n".utf8)
        #expect(try mixed.withUnsafeBytes { try SizeUpdateScanner.apply($0, to: &view) } == false)
        #expect(view.exists == 5)
        let shrinking = Array("* 7 EXISTS\r\n* 6 EXISTS\r\n".utf8)
        #expect(failureKind { _ = try shrinking.withUnsafeBytes { try SizeUpdateScanner.apply($0, to: &view) } } == "inconsistent EXISTS")
        #expect(view.exists == 5)
        let growing = Array("* 6 EXISTS\r\n* 1 RECENT\r\n* 8 EXISTS\r\n".utf8)
        #expect(try growing.withUnsafeBytes { try SizeUpdateScanner.apply($0, to: &view) })
        #expect(view.exists == 8)
    }

    /// Over a socket, whole lines and lines split across reads (7-byte pieces) give the
    /// same view; other untagged responses in between are parsed and leave it alone.
    @Test(arguments: [7, 4096])
    func idleUpdatesAcrossReads(pieceSize: Int) throws {
        let server = try ScriptedServer(
            greeting: "* OK ready\r\n",
            replies: ["* 3 EXISTS\r\n* 1 RECENT\r\n", "* OK Still here\r\n* 4 EXISTS\r\n", "* 9 EXISTS\r\n* 2 EXISTS\r\n"],
            pieceSize: pieceSize)
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        var view = MailboxView(exists: 2)
        for (line, expected) in [("one", UInt32(3)), ("two", 4)] {
            try connection.sendLine(line)
            for _ in 0..<100 where view.exists != expected {
                try connection.receiveIdleUpdates(into: &view, scratch: scratch)
            }
            #expect(view.exists == expected)
        }
        try connection.sendLine("three")
        var kind: String?
        for _ in 0..<100 where kind == nil {
            do {
                try connection.receiveIdleUpdates(into: &view, scratch: scratch)
            } catch {
                kind = error.kind
            }
        }
        #expect(kind == "inconsistent EXISTS")
        connection.close()
    }

    @Test func readinessReportsTokensOfReadableSockets() throws {
        var pair: [Int32] = [0, 0]
        var other: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &other) == 0)
        defer { for fd in pair + other { close(fd) } }
        let readiness = try ReadinessSet()
        try readiness.add(pair[0], token: 41)
        try readiness.add(other[0], token: 7)
        #expect(readiness.wait(milliseconds: 0).isEmpty)
        #expect(write(pair[1], "x", 1) == 1)
        #expect(Array(readiness.wait(milliseconds: 1000)) == [41])
        // Level-triggered: still readable until read.
        #expect(Array(readiness.wait(milliseconds: 0)) == [41])
        #expect(write(other[1], "y", 1) == 1)
        #expect(Set(readiness.wait(milliseconds: 1000)) == [41, 7])
        readiness.remove(pair[0])
        #expect(Array(readiness.wait(milliseconds: 1000)) == [7])
    }

    /// Edge-triggered: a socket is reported once per arrival, and draining it without
    /// blocking ends with 0 (nothing waiting) rather than a wait.
    @Test func edgeTriggeredSocketsAreReportedOncePerArrival() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { for fd in pair { close(fd) } }
        let readiness = try ReadinessSet()
        try readiness.add(pair[0], token: 3, edgeTriggered: true)
        #expect(write(pair[1], "abc", 3) == 3)
        #expect(Array(readiness.wait(milliseconds: 1000)) == [3])
        #expect(readiness.wait(milliseconds: 0).isEmpty)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 16)
        defer { buffer.deallocate() }
        #expect(try ClientSocket.receiveAvailable(descriptor: pair[0], into: buffer) == 3)
        #expect(try ClientSocket.receiveAvailable(descriptor: pair[0], into: buffer) == 0)
        #expect(write(pair[1], "d", 1) == 1)
        #expect(Array(readiness.wait(milliseconds: 1000)) == [3])
        close(pair[1])
        pair[1] = -1
        #expect(try ClientSocket.receiveAvailable(descriptor: pair[0], into: buffer) == 1)
        #expect(failureKind { _ = try ClientSocket.receiveAvailable(descriptor: pair[0], into: buffer) } == "closed")
    }

    /// Bytes handed over in arbitrary pieces (as a readiness loop reads them) give the
    /// same view as whole lines; a partial line leaves the connection off its response
    /// boundary until the line completes.
    @Test func idleBytesInPiecesKeepTheBoundary() throws {
        let server = try ScriptedServer(greeting: "* OK ready\r\n", replies: [])
        defer { server.wait() }
        let connection = try IMAPConnection(host: "127.0.0.1", port: server.port)
        var view = MailboxView(exists: 1)
        func take(_ text: String) throws {
            try Self.feed(connection, text, &view)
        }
        #expect(connection.isAtResponseBoundary)
        try take("* 2 EXISTS\r\n* 1 REC")
        #expect(view.exists == 2)
        #expect(!connection.isAtResponseBoundary)
        try take("ENT\r\n")
        #expect(connection.isAtResponseBoundary)
        try take("* 3 EXISTS\r\n")
        #expect(view.exists == 3)
        try take("* OK Still here\r\n* 4 EXISTS\r\n")
        #expect(view.exists == 4)
        #expect(failureKind { try take("* 2 EXISTS\r\n") } == "inconsistent EXISTS")
        #expect(view.exists == 4)
        connection.close()
    }

    private static func feed(_ connection: IMAPConnection, _ text: String, _ view: inout MailboxView) throws {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: text.utf8.count, alignment: 1)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: Array(text.utf8))
        try connection.takeIdleBytes(UnsafeRawBufferPointer(bytes), into: &view)
    }
}
