import Foundation
import IMAPCodec
import Testing
@testable import IMAPServer

/// FETCH of whole bodies, byte for byte: each response's head, its body (copied into
/// the response when small, else sent from the message file: inline by sendfile up
/// to the runtime's inline limit, by the splice chain above it, from a pack or a file
/// of its own), its close and the tagged completion arrive exact and in order, for
/// one message, many in one FETCH, and FETCHes pipelined in one send. The runtime
/// holds a body until what follows it is queued (`tailFollows`); these would break if
/// a tail overtook its body or a held body were never released.
@Suite(.serialized) struct BodyFetchBytesTests {
    /// A message of about `size` bytes whose every line names it.
    private func message(_ index: Int, size: Int) -> [UInt8] {
        var lines = ["Subject: body \(index)", ""]
        var count = 0
        var number = 0
        while count < size {
            let line = "message \(index) line \(number) of a body to fetch back byte for byte"
            lines.append(line)
            count += line.utf8.count + 2
            number += 1
        }
        return crlf(lines)
    }

    /// Records where `received` first differs from `expected`, with the text around it.
    private func expectSame(_ received: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard received != expected else { return }
        let at = (0..<min(received.count, expected.count)).first { received[$0] != expected[$0] } ?? min(received.count, expected.count)
        let window = { (bytes: [UInt8]) in String(decoding: bytes[max(0, at - 40)..<min(bytes.count, at + 60)], as: UTF8.self) }
        Issue.record("differs at byte \(at) of \(expected.count) (\(received.count) received): got \(window(received).debugDescription), expected \(window(expected).debugDescription)",
                     sourceLocation: sourceLocation)
    }

    /// Small (copied into the response), medium (a pack range within the inline
    /// limit), larger (a pack range over it) and large (a file of its own).
    private static let sizes = [6_000, 30_000, 90_000, 260_000]

    /// The runtime's inline limit: one that splits the sizes above, and the default.
    @Test(arguments: [50_000, nil])
    func bodiesArriveExactAndInOrderWithTheirTails(inlineLimit: Int?) async throws {
        let server = try await MessageTestServer(shards: 1) { settings in
            if let inlineLimit { settings.runtime.inlineFileSendLimit = inlineLimit }
        }
        // IMAP4rev2: no \Recent in the flags.
        let alice = try await server.client(enableRev2: true)
        let messages = Self.sizes.enumerated().map { message($0.offset + 1, size: $0.element) }
        for (index, body) in messages.enumerated() {
            let answer = try await alice.append(tag: "A\(index)", body)
            #expect(answer.last?.hasPrefix("A\(index) OK [APPENDUID ") == true)
        }
        func response(_ number: Int, tail: String = "") -> [UInt8] {
            let body = messages[number - 1]
            return Array("* \(number) FETCH (BODY[] {\(body.count)}\r\n".utf8) + body + Array("\(tail))\r\n".utf8)
        }

        // One FETCH of every message.
        try alice.client.send("F1 FETCH 1:4 BODY.PEEK[]")
        var expected = (1...4).flatMap { response($0) } + Array("F1 OK FETCH completed\r\n".utf8)
        var received = await alice.client.nextBytes(expected.count)
        expectSame(received, expected)

        // Each alone, pipelined in one send: every completion follows its own body.
        try alice.client.sendRaw(Array((1...4).map { "G\($0) FETCH \($0) BODY.PEEK[]\r\n" }.joined().utf8))
        expected = (1...4).flatMap { response($0) + Array("G\($0) OK FETCH completed\r\n".utf8) }
        received = await alice.client.nextBytes(expected.count)
        expectSame(received, expected)

        // Without PEEK the flags follow the body, in its tail.
        try alice.client.send("H1 FETCH 2:3 BODY[]")
        expected = response(2, tail: " FLAGS (\\Seen)") + response(3, tail: " FLAGS (\\Seen)")
            + Array("H1 OK FETCH completed\r\n".utf8)
        received = await alice.client.nextBytes(expected.count)
        expectSame(received, expected)

        // The session goes on as usual afterwards.
        let noop = try await alice.run("N1 NOOP")
        #expect(noop == ["N1 OK NOOP completed"], "\(noop)")
        await server.stop()
    }
}
