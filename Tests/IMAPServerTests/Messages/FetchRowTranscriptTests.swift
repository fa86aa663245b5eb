import IMAPCodec
import Testing
@testable import IMAPServer

/// The FETCH shapes clients sync a mailbox with, answered row by row from the
/// index and the header cache (`FetchRowWriter`): exact transcripts, including a
/// message the cache has no entry for (read from its file in the middle of the
/// run), ENVELOPE copied from the files, a gap left by EXPUNGE, and the FLAGS an
/// implicit `\Seen` adds.
@Suite(.serialized) struct FetchRowTranscriptTests {
    static let first = crlf([
        "From: Alice <alice@example.com>", "To: Bob <bob@example.com>", "Subject: Hello",
        "Date: Tue, 1 Jul 2003 10:52:37 +0200", "", "Hi Bob.",
    ])
    /// White space after the colon longer than the cache's layout allows: this
    /// message gets no cache entry.
    static let wideSubject = "Subject:" + String(repeating: " ", count: 300) + "wide"
    static let second = crlf(["From: carol@example.com", wideSubject, "", "Body."])
    static let third = crlf(["Subject: =?utf-8?q?caf=C3=A9?=", "", "No sender."])

    @Test func syncShapesAreExact() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", options: "(\\Seen $Work) \"01-Jul-2003 10:52:37 +0200\"", Self.first)
        _ = try await alice.append(tag: "A2", options: "() \"31-Dec-1999 23:59:59 -0330\"", Self.second)
        _ = try await alice.append(tag: "A3", options: "(\\Flagged \\Answered zeta $Alpha) \"05-Jan-2026 00:00:00 +0000\"", Self.third)

        #expect(try await alice.run("F1 FETCH 1:* (UID FLAGS)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen $Work))",
            "* 2 FETCH (UID 2 FLAGS ())",
            "* 3 FETCH (UID 3 FLAGS (\\Answered \\Flagged $Alpha zeta))",
            "F1 OK FETCH completed",
        ])
        #expect(try await alice.run("F2 FETCH 1:* FAST") == [
            "* 1 FETCH (FLAGS (\\Seen $Work) INTERNALDATE \"01-Jul-2003 10:52:37 +0200\" RFC822.SIZE \(Self.first.count))",
            "* 2 FETCH (FLAGS () INTERNALDATE \"31-Dec-1999 23:59:59 -0330\" RFC822.SIZE \(Self.second.count))",
            "* 3 FETCH (FLAGS (\\Answered \\Flagged $Alpha zeta) INTERNALDATE \"05-Jan-2026 00:00:00 +0000\" RFC822.SIZE \(Self.third.count))",
            "F2 OK FETCH completed",
        ])
        #expect(try await alice.run("F3 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] RFC822.SIZE)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen $Work) BODY[HEADER.FIELDS (FROM SUBJECT)] {51}",
            "From: Alice <alice@example.com>", "Subject: Hello", "", " RFC822.SIZE \(Self.first.count))",
            "* 2 FETCH (UID 2 FLAGS () BODY[HEADER.FIELDS (FROM SUBJECT)] {\(25 + Self.wideSubject.utf8.count + 4)}",
            "From: carol@example.com", Self.wideSubject, "", " RFC822.SIZE \(Self.second.count))",
            "* 3 FETCH (UID 3 FLAGS (\\Answered \\Flagged $Alpha zeta) BODY[HEADER.FIELDS (FROM SUBJECT)] {34}",
            "Subject: =?utf-8?q?caf=C3=A9?=", "", " RFC822.SIZE \(Self.third.count))",
            "F3 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F9 UID FETCH 1:* (UID FLAGS ENVELOPE)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen $Work) ENVELOPE (\"Tue, 1 Jul 2003 10:52:37 +0200\" \"Hello\" "
                + "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) "
                + "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.com\")) NIL NIL NIL NIL))",
            "* 2 FETCH (UID 2 FLAGS () ENVELOPE (NIL \"wide\" ((NIL NIL \"carol\" \"example.com\")) "
                + "((NIL NIL \"carol\" \"example.com\")) ((NIL NIL \"carol\" \"example.com\")) NIL NIL NIL NIL NIL))",
            "* 3 FETCH (UID 3 FLAGS (\\Answered \\Flagged $Alpha zeta) ENVELOPE (NIL \"=?utf-8?q?caf=C3=A9?=\" NIL NIL NIL NIL NIL NIL NIL NIL))",
            "F9 OK UID FETCH completed",
        ])
        // Without PEEK: \Seen is set, and FLAGS follows the items it was not among.
        #expect(try await alice.run("F4 FETCH 2:3 (UID BODY[HEADER.FIELDS (SUBJECT)])") == [
            "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {\(Self.wideSubject.utf8.count + 4)}",
            Self.wideSubject, "", " FLAGS (\\Seen))",
            "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {34}",
            "Subject: =?utf-8?q?caf=C3=A9?=", "", " FLAGS (\\Seen \\Answered \\Flagged $Alpha zeta))",
            "F4 OK FETCH completed",
        ])

        // A gap in the UIDs: sequence numbers close up, UIDs do not.
        #expect(try await alice.run("S1 STORE 2 +FLAGS.SILENT (\\Deleted)") == ["S1 OK STORE completed"])
        #expect(try await alice.run("X1 EXPUNGE") == ["* 2 EXPUNGE", "X1 OK EXPUNGE completed"])
        #expect(try await alice.run("F6 UID FETCH 1:* (UID FLAGS)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen $Work))",
            "* 2 FETCH (UID 3 FLAGS (\\Seen \\Answered \\Flagged $Alpha zeta))",
            "F6 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F7 UID FETCH 2:3,1 (FLAGS)") == [
            "* 1 FETCH (UID 1 FLAGS (\\Seen $Work))",
            "* 2 FETCH (UID 3 FLAGS (\\Seen \\Answered \\Flagged $Alpha zeta))",
            "F7 OK UID FETCH completed",
        ])
        #expect(try await alice.run("F8 FETCH 2,1 (UID)") == [
            "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "F8 OK FETCH completed",
        ])
        await server.stop()
    }

    /// More responses than one write holds (the output is sent between batches),
    /// every one present once and in order.
    @Test func aLargeMailboxInBatches() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        let count = 1500
        // One MULTIAPPEND with LITERAL+ (no round trip per message).
        func subject(_ index: Int) -> String { "Subject: message \(index) " + String(repeating: "x", count: 200) }
        var command = Array("A1 APPEND INBOX".utf8)
        for index in 0..<count {
            let message = crlf([subject(index), "", "."])
            command += Array(" \(index % 3 == 0 ? "(\\Seen)" : "()") {\(message.count)+}\r\n".utf8) + message
        }
        command += Array("\r\n".utf8)
        #expect(try await alice.runRaw(command, tag: "A1").last?.hasPrefix("A1 OK") == true)
        let lines = try await alice.run("F1 FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        #expect(lines.count == count * 4 + 1)
        for index in stride(from: 0, to: count, by: 97) {
            let flags = index % 3 == 0 ? "(\\Seen)" : "()"
            #expect(lines[index * 4] == "* \(index + 1) FETCH (UID \(index + 1) FLAGS \(flags) BODY[HEADER.FIELDS (SUBJECT)] {\(subject(index).utf8.count + 4)}")
            #expect(lines[index * 4 + 1] == subject(index))
        }
        #expect(lines.last == "F1 OK FETCH completed")
        await server.stop()
    }
}
