import IMAPCodec
import MailStore
import Synchronization
import Testing
@testable import IMAPServer

/// SEARCH with text keys runs off the shard (Session+Search.swift): other sessions
/// on the same shard are served meanwhile, and the search answers for the
/// snapshot and the sequence numbers its session had when it started.
@Suite(.serialized) struct SearchConcurrencyTests {
    /// Appends `count` messages to alice's INBOX through the store: message i has
    /// `marker` in its body when i is 5 or a multiple of 500, \Flagged when i is a
    /// multiple of 10, and about `fillerLines` lines of filler.
    static func seed(_ server: MessageTestServer, count: Int, fillerLines: Int) async throws {
        let inbox = try await server.server.context.store.user("alice").mailbox(named: "INBOX")
        let filler = Array(repeating: "Filler text that names no token at all, line after line.", count: fillerLines)
        var messages: [NewMessage] = []
        for number in 1...count {
            let marker = number == 5 || number % 500 == 0 ? " marker" : ""
            messages.append(NewMessage(
                crlf(["Subject: message \(number)", "", "Body \(number)\(marker)."] + filler),
                flags: number % 10 == 0 ? MessageFlags(.flagged) : MessageFlags()))
        }
        _ = try await inbox.append(messages)
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// One shard, two sessions of one user: while one session's BODY search reads
    /// every message, the other's NOOPs and flag searches keep being answered.
    /// Inline on the shard, at most the first of them could slip in before the
    /// search began.
    @Test func longSearchDoesNotHoldUpTheShard() async throws {
        let server = try await MessageTestServer(shards: 1)
        try await Self.seed(server, count: 3000, fillerLines: 120)
        let searcher = try await server.client()
        let other = try await server.client()
        try searcher.client.send("L1 SEARCH BODY absent-token")
        let finished = Flag()
        let long = Task {
            defer { finished.set() }
            return try await searcher.collect(tag: "L1")
        }
        var answeredMeanwhile = 0
        for round in 0..<500 where !finished.isSet {
            let command = round % 2 == 0 ? "N\(round) NOOP" : "F\(round) SEARCH FLAGGED"
            let lines = try await other.run(command)
            #expect(lines.last?.hasPrefix("\(command.prefix { $0 != " " }) OK") == true)
            if !finished.isSet { answeredMeanwhile += 1 }
        }
        #expect(try await long.value == ["* SEARCH", "L1 OK SEARCH completed"])
        #expect(answeredMeanwhile >= 3, "answered while the long search ran: \(answeredMeanwhile)")
        await server.stop()
    }

    /// Another session expunges message 5 while a BODY search runs: the answer
    /// uses the sequence numbers the searching session knows (500 stays 500), no
    /// EXPUNGE reaches it before the search completes, and the next NOOP brings it.
    /// Message 5 itself may or may not be in the answer (the expunge can land
    /// before or after the search takes its snapshot).
    @Test func concurrentExpungeKeepsTheSessionsNumbers() async throws {
        let server = try await MessageTestServer()
        try await Self.seed(server, count: 1000, fillerLines: 4)
        let searcher = try await server.client()
        let other = try await server.client()
        try searcher.client.send("Q1 SEARCH RETURN (SAVE ALL) BODY marker")
        #expect(try await other.run("S1 STORE 5 +FLAGS.SILENT (\\Deleted)") == ["S1 OK STORE completed"])
        #expect(try await other.run("X1 EXPUNGE") == ["* 5 EXPUNGE", "X1 OK EXPUNGE completed"])
        let answer = try await searcher.collect(tag: "Q1")
        #expect(answer == ["* ESEARCH (TAG \"Q1\") ALL 5,500,1000", "Q1 OK SEARCH completed"]
            || answer == ["* ESEARCH (TAG \"Q1\") ALL 500,1000", "Q1 OK SEARCH completed"], "\(answer)")
        #expect(try await searcher.run("N1 NOOP") == ["* 5 EXPUNGE", "N1 OK NOOP completed"])
        // `$` holds the same messages (by UID), less the one expunged.
        #expect(try await searcher.run("U1 UID SEARCH UID $") == ["* SEARCH 500 1000", "U1 OK UID SEARCH completed"])
        #expect(try await searcher.run("Q2 SEARCH BODY marker") == ["* SEARCH 499 999", "Q2 OK SEARCH completed"])
        await server.stop()
    }
}
