import IMAPCodec
import Testing
@testable import IMAPServer

/// Header FETCH and SEARCH answered from the mailbox's header cache: the same
/// lines as from the message files, while another session changes the mailbox.
@Suite(.serialized) struct HeaderCacheTranscriptTests {
    static let cafeMessage = crlf([
        "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>",
        "Subject: =?utf-8?q?caf=C3=A9?= talk",
        "X-Mailer: not cached",
        "",
        "Body.",
    ])

    @Test func headerFetchAndSearchFollowAnotherSession() async throws {
        let server = try await MessageTestServer()
        let alice = try await server.client(enableRev2: true)
        _ = try await alice.append(tag: "A1", plainMessage)
        _ = try await alice.append(tag: "A2", Self.cafeMessage)
        #expect(try await alice.run("F1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)])") == [
            "* 1 FETCH (UID 1 FLAGS () BODY[HEADER.FIELDS (From Subject)] {51}",
            "From: Alice <alice@example.com>", "Subject: Hello", "", ")",
            "* 2 FETCH (UID 2 FLAGS () BODY[HEADER.FIELDS (From Subject)] {87}",
            "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>", "Subject: =?utf-8?q?caf=C3=A9?= talk", "", ")",
            "F1 OK UID FETCH completed",
        ])
        #expect(try await alice.run("Q1 SEARCH FROM \"jörg\"") == ["* ESEARCH (TAG \"Q1\") ALL 2", "Q1 OK SEARCH completed"])

        let other = try await server.client(enableRev2: true)
        _ = try await other.append(tag: "A3", Self.cafeMessage)
        #expect(try await other.run("S1 STORE 1 +FLAGS.SILENT (\\Deleted)") == ["S1 OK STORE completed"])
        #expect(try await other.run("X1 EXPUNGE") == ["* 1 EXPUNGE", "X1 OK EXPUNGE completed"])
        #expect(try await alice.run("N1 NOOP") == ["* 1 EXPUNGE", "* 2 EXISTS", "N1 OK NOOP completed"])
        #expect(try await alice.run("F2 FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.9>") == [
            "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<0> {9}", "Subject: )",
            "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<0> {9}", "Subject: )",
            "F2 OK FETCH completed",
        ])
        #expect(try await alice.run("Q2 UID SEARCH SUBJECT \"CAFÉ\"") == ["* ESEARCH (TAG \"Q2\") UID ALL 2:3", "Q2 OK UID SEARCH completed"])

        #expect(try await other.run("M1 UID MOVE 2 Trash").last == "M1 OK UID MOVE completed")
        // A field the cache does not keep is read from the file, next to cached ones.
        #expect(try await alice.run("F3 UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (X-Mailer FROM)])") == [
            "* 1 EXPUNGE",
            "* 1 FETCH (UID 3 BODY[HEADER.FIELDS (X-Mailer FROM)] {72}",
            "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>", "X-Mailer: not cached", "", ")",
            "F3 OK UID FETCH completed",
        ])
        #expect(try await alice.run("Q3 SEARCH HEADER X-Mailer cached") == ["* ESEARCH (TAG \"Q3\") ALL 1", "Q3 OK SEARCH completed"])
        await server.stop()
    }
}
