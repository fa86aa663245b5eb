import Testing
@testable import IMAPServer

/// A body FETCH of one message is answered without a command task
/// (Session+InlineCommands.swift); everything else keeps the task. These hold the
/// two paths to the same wire: pipelined commands that alternate between them keep
/// their order, an answer the connection's queue has no room for still arrives whole
/// (the task writes it, waiting), mailbox updates reported before a FETCH go out once
/// whichever path answers it, and a FETCH answered inline fails as the task's would.
@Suite(.serialized) struct InlineFetchTranscriptTests {
    /// A message of about `size` bytes whose every line names it by `name`.
    private static func message(_ name: String, size: Int) -> [UInt8] {
        var text = "Subject: \(name)\r\n\r\n"
        var number = 0
        while text.utf8.count < size {
            text += "line \(number) of \(name), a body fetched inline or by the command task\r\n"
            number += 1
        }
        return Array(text.utf8)
    }

    private static let first = message("first", size: 40_000)
    private static let second = message("second", size: 30_000)

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `* n FETCH (<items> BODY[] {size}\r\n<body>)\r\n`.
    private static func bodyResponse(_ number: Int, _ body: [UInt8], items: String = "") -> [UInt8] {
        bytes("* \(number) FETCH (\(items)BODY[] {\(body.count)}\r\n") + body + bytes(")\r\n")
    }

    @Test func pipelinedCommandsKeepTheirOrder() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", Self.first)
        _ = try await alice.append(tag: "A2", Self.second)
        // Inline, task (NOOP), inline, task (STORE), inline with FLAGS, task (two
        // messages), all in one write.
        try alice.client.send(
            "F1 FETCH 1 BODY.PEEK[]\r\nN NOOP\r\nF2 UID FETCH 2 BODY.PEEK[]\r\nS STORE 1 +FLAGS.SILENT (\\Flagged)\r\n"
                + "F3 FETCH 1 (FLAGS BODY.PEEK[])\r\nF4 FETCH 1:2 BODY.PEEK[]")
        let expected = Self.bodyResponse(1, Self.first) + Self.bytes("F1 OK FETCH completed\r\n")
            + Self.bytes("N OK NOOP completed\r\n")
            + Self.bodyResponse(2, Self.second, items: "UID 2 ") + Self.bytes("F2 OK UID FETCH completed\r\n")
            + Self.bytes("S OK STORE completed\r\n")
            + Self.bodyResponse(1, Self.first, items: "FLAGS (\\Flagged) ") + Self.bytes("F3 OK FETCH completed\r\n")
            + Self.bodyResponse(1, Self.first) + Self.bodyResponse(2, Self.second) + Self.bytes("F4 OK FETCH completed\r\n")
        let received = await alice.client.nextBytes(expected.count)
        #expect(received == expected, "\(String(decoding: received.prefix(200), as: UTF8.self).debugDescription)")
        #expect(try await alice.run("Z NOOP") == ["Z OK NOOP completed"])
        await server.stop()
    }

    /// CONDSTORE holds on the inline path too: MODSEQ asked is an enabling command
    /// (HIGHESTMODSEQ first), and once enabled a FETCH with FLAGS carries MODSEQ.
    @Test func condStoreAppliesToAFetchAnsweredInline() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", Self.first)
        try alice.client.send("M FETCH 1 (MODSEQ BODY.PEEK[])\r\nF FETCH 1 (FLAGS BODY.PEEK[])")
        let expected = Self.bytes("* OK [HIGHESTMODSEQ 2] Highest\r\n")
            + Self.bodyResponse(1, Self.first, items: "MODSEQ (2) ") + Self.bytes("M OK FETCH completed\r\n")
            + Self.bytes("* 1 FETCH (FLAGS () BODY[] {\(Self.first.count)}\r\n") + Self.first + Self.bytes(" MODSEQ (2))\r\n")
            + Self.bytes("F OK FETCH completed\r\n")
        let received = await alice.client.nextBytes(expected.count)
        #expect(received == expected, "\(String(decoding: received.prefix(200), as: UTF8.self).debugDescription)")
        await server.stop()
    }

    /// With the connection's queue bounded below the size of a body, the inline pass
    /// encodes the answer but cannot queue it: the command task writes it.
    @Test func anAnswerWithoutRoomIsWrittenByTheTask() async throws {
        let server = try await MessageTestServer(shards: 1) { $0.runtime.maxOutputBytesPerConnection = 4096 }
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", Self.first)
        _ = try await alice.append(tag: "A2", Self.second)
        try alice.client.send("F1 FETCH 1 BODY.PEEK[]\r\nF2 FETCH 2 BODY.PEEK[]\r\nN NOOP")
        let expected = Self.bodyResponse(1, Self.first) + Self.bytes("F1 OK FETCH completed\r\n")
            + Self.bodyResponse(2, Self.second) + Self.bytes("F2 OK FETCH completed\r\n")
            + Self.bytes("N OK NOOP completed\r\n")
        let received = await alice.client.nextBytes(expected.count)
        #expect(received == expected, "\(String(decoding: received.prefix(200), as: UTF8.self).debugDescription)")
        await server.stop()
    }

    /// A message appended by another session is announced once, before the FETCH
    /// that may name it, whether the FETCH is answered inline (one message) or goes
    /// to the task after the inline pass reported the update (two messages).
    @Test(arguments: [("FETCH 2 BODY.PEEK[]", [2]), ("FETCH 1:2 BODY.PEEK[]", [1, 2])])
    func updatesBeforeAFetchGoOutOnce(command: String, numbers: [Int]) async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        let other = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", Self.first)
        _ = try await other.run("N NOOP")
        _ = try await other.append(tag: "A2", Self.second)
        try alice.client.send("F \(command)")
        let bodies = [Self.first, Self.second]
        var expected = Self.bytes("* 2 EXISTS\r\n")
        for number in numbers { expected += Self.bodyResponse(number, bodies[number - 1]) }
        expected += Self.bytes("F OK FETCH completed\r\n")
        let received = await alice.client.nextBytes(expected.count)
        #expect(received == expected, "\(String(decoding: received.prefix(200), as: UTF8.self).debugDescription)")
        #expect(try await alice.run("Z NOOP") == ["Z OK NOOP completed"])
        await server.stop()
    }

    /// Failures of a FETCH the inline pass takes: a sequence number past the last
    /// message, a UID that names nothing (answered OK with no response), and a FETCH
    /// before any SELECT.
    @Test func failuresAreAnsweredAsBefore() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", Self.first)
        let beyond = try await alice.run("B FETCH 9 BODY.PEEK[]")
        #expect(beyond.count == 1 && beyond[0].hasPrefix("B BAD "), "\(beyond)")
        #expect(try await alice.run("U UID FETCH 9 BODY.PEEK[]") == ["U OK UID FETCH completed"])
        let unselected = try await server.client(select: nil)
        let refused = try await unselected.run("X FETCH 1 BODY.PEEK[]")
        #expect(refused == ["X BAD FETCH not allowed: no mailbox selected"], "\(refused)")
        #expect(try await alice.run("Z NOOP") == ["Z OK NOOP completed"])
        await server.stop()
    }
}
