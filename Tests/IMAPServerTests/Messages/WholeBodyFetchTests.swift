import Foundation
import Glibc
import Testing
@testable import IMAPServer

/// FETCH of whole bodies large enough to be sent from their pack, which reads no
/// structure (`FetchPlan.needsWholeBodiesOnly`), byte for byte beside the items that
/// do read it (BINARY[], BODY[TEXT]); and a pack cut short under the index answers
/// `NO [CORRUPTION]` and the session goes on.
@Suite(.serialized) struct WholeBodyFetchTests {
    /// A message of about `size` bytes whose every line names it.
    private static func message(size: Int) -> [UInt8] {
        var text = "Subject: whole body\r\n\r\n"
        var number = 0
        while text.utf8.count < size {
            text += "line \(number) of a whole body fetched from its pack\r\n"
            number += 1
        }
        return Array(text.utf8)
    }

    private static let body = message(size: 40_000)
    private static let text = Array(body[(body.firstRange(of: Array("\r\n\r\n".utf8))!.upperBound)...])

    private static func literal(_ label: String, _ bytes: [UInt8]) -> [UInt8] {
        Array("\(label) {\(bytes.count)}\r\n".utf8) + bytes
    }

    /// The command, and the response and completion it must get, exactly.
    static let cases: [(String, [UInt8])] = [
        ("FETCH 1 BODY.PEEK[]", Array("* 1 FETCH (".utf8) + literal("BODY[]", body) + Array(")\r\n".utf8)),
        ("FETCH 1 (UID BODY.PEEK[])", Array("* 1 FETCH (UID 1 ".utf8) + literal("BODY[]", body) + Array(")\r\n".utf8)),
        ("UID FETCH 1 BODY.PEEK[]<7.30000>",
         Array("* 1 FETCH (UID 1 ".utf8) + literal("BODY[]<7>", Array(body[7..<30_007])) + Array(")\r\n".utf8)),
        ("FETCH 1 BINARY.PEEK[]", Array("* 1 FETCH (".utf8) + literal("BINARY[]", body) + Array(")\r\n".utf8)),
        ("FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT])",
         Array("* 1 FETCH (".utf8) + literal("BODY[]", body) + Array(" ".utf8) + literal("BODY[TEXT]", text)
            + Array(")\r\n".utf8)),
        ("FETCH 1 RFC822", Array("* 1 FETCH (".utf8) + literal("RFC822", body) + Array(" FLAGS (\\Seen))\r\n".utf8)),
        ("FETCH 1 BODY[]", Array("* 1 FETCH (".utf8) + literal("BODY[]", body) + Array(")\r\n".utf8)),
    ]

    @Test func wholeBodiesArriveExact() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        let appended = try await alice.append(tag: "A", Self.body)
        #expect(appended.last?.hasPrefix("A OK [APPENDUID ") == true)
        for (number, (command, response)) in Self.cases.enumerated() {
            let tag = "F\(number)"
            try alice.client.send("\(tag) \(command)")
            let verb = command.hasPrefix("UID") ? "UID FETCH" : "FETCH"
            let expected = response + Array("\(tag) OK \(verb) completed\r\n".utf8)
            let received = await alice.client.nextBytes(expected.count)
            #expect(received == expected, "\(command): \(String(decoding: received.prefix(80), as: UTF8.self).debugDescription)")
        }
        let noop = try await alice.run("N NOOP")
        #expect(noop == ["N OK NOOP completed"], "\(noop)")
        await server.stop()
    }

    /// The one pack file of the data directory.
    private static func packFile(under directory: String) -> String? {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        let packs = files.filter { $0.split(separator: "/").dropLast().last == "packs" }
        return packs.count == 1 ? directory + "/" + packs[0] : nil
    }

    @Test(arguments: ["BODY.PEEK[]", "BODY.PEEK[TEXT]"])
    func aPackCutShortAnswersNo(item: String) async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A", Self.body)
        let pack = try #require(Self.packFile(under: server.directory + "/data"))
        #expect(truncate(pack, off_t(Self.body.count / 2)) == 0)
        let answer = try await alice.run("F FETCH 1 \(item)")
        #expect(answer == ["F NO [CORRUPTION] Mailbox data is damaged"], "\(answer)")
        let noop = try await alice.run("N NOOP")
        #expect(noop == ["N OK NOOP completed"], "\(noop)")
        await server.stop()
    }
}
