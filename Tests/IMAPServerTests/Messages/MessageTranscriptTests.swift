import Foundation
import IMAPCodec
import Testing
@testable import IMAPServer

/// Transcripts of the message commands against a real server: exact lines, as in
/// the RFC examples. One server per test; loopback only.
@Suite(.serialized) struct MessageTranscriptTests {
    private func uidValidity(_ transcript: Transcript, _ mailbox: String = "INBOX") async throws -> String {
        let lines = try await transcript.run("V STATUS \(mailbox) (UIDVALIDITY)")
        let status = lines[0]
        return String(status.split(separator: " ").last!.dropLast())
    }

    @Test func appendFetchMultipartAndBinary() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        let validity = try await uidValidity(alice)
        #expect(try await alice.append(tag: "A1", options: "(\\Seen $Work) \"01-Jul-2003 10:52:37 +0200\"", multipartMessage)
            == ["* 1 EXISTS", "A1 OK [APPENDUID \(validity) 1] APPEND completed"])
        #expect(try await alice.run("F1 FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)") == [
            "* 1 FETCH (FLAGS (\\Seen $Work) INTERNALDATE \"01-Jul-2003 10:52:37 +0200\" RFC822.SIZE \(multipartMessage.count))",
            "F1 OK FETCH completed",
        ])
        #expect(try await alice.run("F2 UID FETCH 1 (BODY.PEEK[1] BINARY.SIZE[2])") == [
            "* 1 FETCH (UID 1 BODY[1] {7}", "Gr\u{00FC}\u{00DF}e BINARY.SIZE[2] 11)", "F2 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F3 FETCH 1 BINARY.PEEK[3]") == ["F3 NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding"])
        let fields = try await alice.run("F4 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
        #expect(fields == [
            "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {19}", "Subject: Report", "", ")", "F4 OK FETCH completed",
        ], "\(fields)")
        #expect(try await alice.run("F5 FETCH 2 FLAGS") == ["F5 BAD Invalid message sequence number"])
        await server.stop()
    }

    @Test func implicitSeenStoreSearchAndExpunge() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        for tag in ["A1", "A2", "A3"] { _ = try await alice.append(tag: tag, plainMessage) }
        #expect(try await alice.run("F1 FETCH 2 BODY[TEXT]") == [
            "* 2 FETCH (BODY[TEXT] {9}", "Hi Bob.", " FLAGS (\\Seen))", "F1 OK FETCH completed",
        ])
        #expect(try await alice.run("S1 STORE 1:2 +FLAGS (\\Deleted)") == [
            "* 1 FETCH (FLAGS (\\Deleted))", "* 2 FETCH (FLAGS (\\Seen \\Deleted))", "S1 OK STORE completed",
        ])
        #expect(try await alice.run("S2 UID STORE 3 FLAGS.SILENT (\\Flagged)") == ["S2 OK UID STORE completed"])
        #expect(try await alice.run("S3 STORE 1 +FLAGS (\\Recent)") == ["S3 BAD Invalid flag \\Recent"])
        #expect(try await alice.run("S4 STORE 1 (X-UNKNOWN 5) +FLAGS (\\Seen)") == ["S4 BAD Unsupported STORE modifier"])
        #expect(try await alice.run("Q1 SEARCH DELETED") == ["* ESEARCH (TAG \"Q1\") ALL 1:2", "Q1 OK SEARCH completed"])
        #expect(try await alice.run("Q2 SEARCH CHARSET KOI8-R ALL")
            == ["Q2 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R"])
        #expect(try await alice.run("Q3 UID SEARCH RETURN (MIN COUNT) UNDELETED")
            == ["* ESEARCH (TAG \"Q3\") UID MIN 3 COUNT 1", "Q3 OK UID SEARCH completed"])
        #expect(try await alice.run("Q4 SEARCH RETURN (SAVE) DELETED") == ["Q4 OK SEARCH completed"])
        #expect(try await alice.run("F2 FETCH $ (UID)") == [
            "* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "F2 OK FETCH completed",
        ])
        #expect(try await alice.run("X1 EXPUNGE") == ["* 1 EXPUNGE", "* 1 EXPUNGE", "X1 OK EXPUNGE completed"])
        #expect(try await alice.run("F3 FETCH 1 (UID FLAGS)") == ["* 1 FETCH (UID 3 FLAGS (\\Flagged))", "F3 OK FETCH completed"])
        await server.stop()
    }

    @Test func copyMoveWithCOPYUIDAndTRYCREATE() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        for tag in ["A1", "A2"] { _ = try await alice.append(tag: tag, plainMessage) }
        let archive = try await uidValidity(alice, "Archive")
        #expect(try await alice.run("C1 COPY 1:2 Archive") == ["C1 OK [COPYUID \(archive) 1:2 1:2] COPY completed"])
        #expect(try await alice.run("C2 COPY 1 Nowhere") == ["C2 NO [TRYCREATE] Mailbox does not exist"])
        #expect(try await alice.run("M1 UID MOVE 1 Archive") == [
            "* OK [COPYUID \(archive) 1 3] Moved UIDs", "* 1 EXPUNGE", "M1 OK UID MOVE completed",
        ])
        #expect(try await alice.run("N1 STATUS Archive (MESSAGES)") == ["* STATUS Archive (MESSAGES 3)", "N1 OK STATUS completed"])
        let inbox = try await uidValidity(alice)
        #expect(try await alice.run("M2 MOVE 1 INBOX") == [
            "* OK [COPYUID \(inbox) 2 3] Moved UIDs", "* 1 EXPUNGE", "* 1 EXISTS", "M2 OK MOVE completed",
        ])
        await server.stop()
    }

    /// Two sessions on one mailbox: each hears the other's changes with its own,
    /// correct sequence numbers, and no EXPUNGE arrives during FETCH (7.5.1).
    @Test func twoSessionsSeeEachOther() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        for tag in ["A1", "A2", "A3"] { _ = try await alice.append(tag: tag, plainMessage) }
        let other = try await server.client(enableRev2: true)
        #expect(try await other.run("S1 STORE 2 +FLAGS.SILENT (\\Deleted)") == ["S1 OK STORE completed"])
        #expect(try await other.run("X1 EXPUNGE") == ["* 2 EXPUNGE", "X1 OK EXPUNGE completed"])
        _ = try await other.append(tag: "A4", plainMessage)
        // alice: during FETCH only the new message; message 2 keeps its number.
        #expect(try await alice.run("F1 FETCH 3 (UID)") == ["* 4 EXISTS", "* 3 FETCH (UID 3)", "F1 OK FETCH completed"])
        #expect(try await alice.run("N1 NOOP") == ["* 2 EXPUNGE", "N1 OK NOOP completed"])
        #expect(try await alice.run("F2 FETCH 3 (UID)") == ["* 3 FETCH (UID 4)", "F2 OK FETCH completed"])
        #expect(try await other.run("S2 STORE 1 +FLAGS.SILENT (\\Answered)") == ["S2 OK STORE completed"])
        #expect(try await alice.run("N2 NOOP") == ["* 1 FETCH (FLAGS (\\Answered))", "N2 OK NOOP completed"])
        await server.stop()
    }

    @Test func largeMessagesStreamInAndOut() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client()
        var lines = ["Subject: large", "Content-Type: text/plain; charset=utf-8", ""]
        for number in 0..<6000 { lines.append("line \(number): 8-bit text \u{00E9}\u{00E8}\u{00EA} and more filler text") }
        let large = crlf(lines) // about 300 KB: streamed by the framer, spliced on the way out
        #expect(large.count > 200_000)
        let answer = try await alice.append(tag: "A1", large)
        #expect(answer.last?.hasPrefix("A1 OK [APPENDUID ") == true)
        try alice.client.send("F1 FETCH 1 BODY.PEEK[]")
        #expect(await alice.readLine() == "* 1 FETCH (BODY[] {\(large.count)}")
        for (index, expected) in lines.enumerated() {
            let got = await alice.readLine()
            if got != expected {
                Issue.record("line \(index): \(String(describing: got)) != \(expected)")
                break
            }
        }
        #expect(await alice.read(2) == [")", "F1 OK FETCH completed"])
        await server.stop()
    }

    /// Medium bodies (spliced, but small enough to live in the mailbox's journal
    /// pack) sit at an offset inside a shared file: each must come back as itself.
    @Test func mediumBodiesInAPackSpliceFromTheirOffset() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client()
        var messages: [[String]] = []
        for index in 0..<3 {
            var lines = ["Subject: medium \(index)", ""]
            for number in 0..<700 { lines.append("message \(index) line \(number) with some filler text") }
            messages.append(lines)
            let body = crlf(lines)
            #expect(body.count > 20_000 && body.count < 100_000)
            let answer = try await alice.append(tag: "A\(index)", body)
            #expect(answer.last?.hasPrefix("A\(index) OK [APPENDUID ") == true)
        }
        for (index, lines) in messages.enumerated().reversed() {
            try alice.client.send("F\(index) FETCH \(index + 1) BODY.PEEK[]")
            #expect(await alice.readLine() == "* \(index + 1) FETCH (BODY[] {\(crlf(lines).count)}")
            for (number, expected) in lines.enumerated() {
                let got = await alice.readLine()
                if got != expected {
                    Issue.record("message \(index) line \(number): \(String(describing: got)) != \(expected)")
                    break
                }
            }
            #expect(await alice.read(2) == [")", "F\(index) OK FETCH completed"])
        }
        await server.stop()
    }

    /// A body that cannot be read fails the FETCH with the store's answer; it is
    /// never sent as NIL or as empty data.
    @Test func damagedBodyFailsTheFetch() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client()
        var lines = ["Subject: damaged", ""]
        for number in 0..<4000 { lines.append("line \(number) of a body large enough for a file of its own") }
        _ = try await alice.append(tag: "A1", crlf(lines))
        let files = FileManager.default.enumerator(atPath: server.directory)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix("/msgs/1") } ?? []
        #expect(files.count == 1)
        for file in files { try Data().write(to: URL(fileURLWithPath: server.directory + "/" + file)) }
        #expect(try await alice.run("F1 FETCH 1 (ENVELOPE)") == ["F1 NO [CORRUPTION] Mailbox data is damaged"])
        await server.stop()
    }

    @Test func appendLimitAndTryCreate() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(select: nil)
        let limit = FramingLimits().maximumLiteralSize
        let refusal = try await alice.run("T1 APPEND INBOX {\(limit + 1)}")
        // The framer refuses the literal before the APPEND runs, with NO [TOOBIG]
        // (RFC 7889; RFC 4469 section 4), and the client never sends it.
        #expect(refusal == ["T1 NO [TOOBIG] Literal too large"], "\(refusal)")
        #expect(try await alice.append(tag: "T2", mailbox: "Nowhere", plainMessage) == ["T2 NO [TRYCREATE] Mailbox does not exist"])
        await server.stop()
    }

    @Test func multiappendIsAllOrNothing() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        let validity = try await uidValidity(alice)
        let first = plainMessage, second = multipartMessage
        try alice.client.send("M1 APPEND INBOX (\\Seen) {\(first.count)+}")
        try alice.client.sendRaw(first + Array(" (\\Flagged) {\(second.count)+}\r\n".utf8) + second + Array("\r\n".utf8))
        #expect(try await alice.collect(tag: "M1") == ["* 2 EXISTS", "M1 OK [APPENDUID \(validity) 1:2] APPEND completed"])
        try alice.client.send("M2 APPEND INBOX {\(first.count)+}")
        try alice.client.sendRaw(first + Array(" (\\Bogus) {\(second.count)+}\r\n".utf8) + second + Array("\r\n".utf8))
        #expect(try await alice.collect(tag: "M2") == ["M2 BAD Invalid flag \\Bogus"])
        #expect(try await alice.run("N1 NOOP") == ["N1 OK NOOP completed"])
        await server.stop()
    }

    /// Many sessions idle on one mailbox; one APPEND reaches every one of them.
    @Test func idleFanOut() async throws {
        let server = try await MessageTestServer()
        var idlers: [Transcript] = []
        for _ in 0..<24 { idlers.append(try await server.client(enableRev2: true)) }
        for (index, idler) in idlers.enumerated() {
            try idler.client.send("I\(index) IDLE")
            #expect(await idler.readLine() == "+ idling")
        }
        let writer = try await server.client(select: nil)
        _ = try await writer.append(tag: "A1", plainMessage)
        for (index, idler) in idlers.enumerated() {
            #expect(await idler.readLine() == "* 1 EXISTS")
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I\(index) OK IDLE terminated")
        }
        await server.stop()
    }

    @Test func idleKeepaliveAndCapabilities() async throws {
        let server = try await MessageTestServer { $0.idleKeepalive = .seconds(1) }
        let alice = try await server.client()
        let capability = try await alice.run("C CAPABILITY")[0]
        for name in ["IDLE", "UIDPLUS", "MOVE", "ESEARCH", "SEARCHRES", "BINARY", "MULTIAPPEND", "APPENDLIMIT="] {
            #expect(capability.contains(" \(name)"))
        }
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        #expect(await alice.readLine() == "* OK Still here")
        try alice.client.send("DONE")
        #expect(await alice.readLine() == "I OK IDLE terminated")
        await server.stop()
    }

    /// IMAP4rev1's \Recent: exactly one session (the first to see a message)
    /// holds it, and RECENT accompanies EXISTS.
    @Test func rev1RecentBelongsToOneSession() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client()
        #expect(try await alice.append(tag: "A1", plainMessage).prefix(2) == ["* 1 EXISTS", "* 1 RECENT"])
        let second = try await server.client(select: nil)
        #expect(try await second.run("S SELECT INBOX").prefix(2) == ["* 1 EXISTS", "* 0 RECENT"])
        _ = try await second.append(tag: "A2", plainMessage)
        #expect(try await alice.run("N NOOP") == ["* 2 EXISTS", "* 1 RECENT", "N OK NOOP completed"])
        #expect(try await alice.run("F FETCH 1:2 FLAGS") == [
            "* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS ())", "F OK FETCH completed",
        ])
        #expect(try await alice.run("Q1 SEARCH NEW") == ["* SEARCH 1", "Q1 OK SEARCH completed"])
        #expect(try await second.run("Q2 SEARCH RECENT") == ["* SEARCH 2", "Q2 OK SEARCH completed"])
        #expect(try await second.run("Q3 SEARCH OLD") == ["* SEARCH 1", "Q3 OK SEARCH completed"])
        // EXAMINE sees unclaimed messages as recent but leaves them for the next session.
        let writer = try await server.client(select: nil)
        _ = try await writer.append(tag: "A3", mailbox: "Archive", plainMessage)
        #expect(try await writer.run("E1 EXAMINE Archive").prefix(2) == ["* 1 EXISTS", "* 1 RECENT"])
        #expect(try await writer.run("E2 STATUS Archive (RECENT)") == ["* STATUS Archive (RECENT 1)", "E2 OK STATUS completed"])
        #expect(try await writer.run("E3 SELECT Archive").prefix(3) == ["* OK [CLOSED] Previous mailbox closed", "* 1 EXISTS", "* 1 RECENT"])
        #expect(try await writer.run("E4 STATUS Archive (RECENT)") == ["* STATUS Archive (RECENT 0)", "E4 OK STATUS completed"])
        await server.stop()
    }

    @Test func shutdownDuringIdleSaysBye() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        try alice.client.send("I IDLE")
        #expect(await alice.readLine() == "+ idling")
        let stopping = Task { await server.stop() }
        #expect(await alice.readLine() == "* BYE Server shutting down")
        await stopping.value
    }

    @Test func rev2SearchAnswersESEARCH() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        for tag in ["A1", "A2", "A3"] { _ = try await alice.append(tag: tag, plainMessage) }
        #expect(try await alice.run("Q1 SEARCH ALL") == ["* ESEARCH (TAG \"Q1\") ALL 1:3", "Q1 OK SEARCH completed"])
        #expect(try await alice.run("Q2 SEARCH SEEN") == ["* ESEARCH (TAG \"Q2\")", "Q2 OK SEARCH completed"])
        await server.stop()
    }
}
