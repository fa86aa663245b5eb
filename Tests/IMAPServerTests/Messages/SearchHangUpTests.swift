import Glibc
import MailStore
import Synchronization
import Testing
@testable import IMAPServer

/// A SEARCH off the shard stops when nobody waits for its answer any more
/// (Session+Search.swift): the client hangs up, or the server stops. The search
/// is held at its first message (`HoldingSearchAnalyzer`), so it is certainly
/// running when the client goes; once stopped, the chunk it was in ends at its
/// next look and no other chunk runs.
@Suite(.serialized) struct SearchHangUpTests {
    /// One shard, one search worker, chunks of 64: a BODY search over 300
    /// messages is five chunks, one running and four waiting.
    static func server(_ analyzer: HoldingSearchAnalyzer) async throws -> MessageTestServer {
        let server = try await MessageTestServer(shards: 1, analyzer: analyzer) { settings in
            settings.searchWorkers = 1
            settings.searchChunkMessages = 64
        }
        try await SearchConcurrencyTests.seed(server, count: 300, fillerLines: 2)
        return server
    }

    /// Polls (at most 20 s on a loaded machine; never a timed assertion) until `done`.
    static func poll(until done: () -> Bool) async throws {
        for _ in 0..<2000 where !done() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func searchStopsWhenTheClientHangsUp() async throws {
        let analyzer = HoldingSearchAnalyzer()
        let server = try await Self.server(analyzer)
        let scheduler = server.server.context.searchScheduler
        let searcher = try await server.client()
        try searcher.client.send("L1 SEARCH BODY absent-token")
        try await Self.poll { analyzer.isHolding }
        try #require(analyzer.isHolding)

        searcher.client.disconnect()
        try await Self.poll { analyzer.holdEnded && scheduler.runningCount == 0 && scheduler.waitingCount == 0 }
        #expect(analyzer.sawCancellation, "the hang-up cancelled the running chunk")
        #expect(scheduler.runningCount == 0)
        #expect(scheduler.waitingCount == 0)
        let evaluated = analyzer.evaluated
        #expect(evaluated <= 32, "messages read after the hang-up: \(evaluated) of 300")

        // The server goes on: the next client's search is answered in full.
        let other = try await server.client()
        #expect(try await other.run("S2 SEARCH BODY marker") == ["* SEARCH 5", "S2 OK SEARCH completed"])
        #expect(analyzer.evaluated == evaluated + 300)
        await server.stop()
    }

    /// Commands pipelined behind a long search are bytes, not a hang-up: the
    /// search answers, then they do.
    @Test func pipelinedCommandsDoNotStopTheSearch() async throws {
        let server = try await MessageTestServer(shards: 1) { settings in
            settings.searchWorkers = 1
            settings.searchChunkMessages = 64
        }
        try await SearchConcurrencyTests.seed(server, count: 300, fillerLines: 2)
        let searcher = try await server.client()
        try searcher.client.sendRaw(Array("L1 SEARCH BODY marker\r\nN1 NOOP\r\nL2 SEARCH BODY marker\r\n".utf8))
        #expect(try await searcher.collect(tag: "L1") == ["* SEARCH 5", "L1 OK SEARCH completed"])
        #expect(try await searcher.collect(tag: "N1") == ["N1 OK NOOP completed"])
        #expect(try await searcher.collect(tag: "L2") == ["* SEARCH 5", "L2 OK SEARCH completed"])
        await server.stop()
    }

    @Test func searchStopsWhenTheServerStops() async throws {
        let analyzer = HoldingSearchAnalyzer()
        let server = try await Self.server(analyzer)
        let scheduler = server.server.context.searchScheduler
        let searcher = try await server.client()
        try searcher.client.send("L1 SEARCH BODY absent-token")
        try await Self.poll { analyzer.isHolding }
        try #require(analyzer.isHolding)

        let stopping = Task { await server.stop() }
        var lines: [String] = []
        for _ in 0..<10 {
            guard let line = await searcher.readLine() else { break }
            lines.append(line)
        }
        await stopping.value
        #expect(lines == ["* BYE Server shutting down"], "no answer of the stopped search, only the goodbye")
        #expect(analyzer.sawCancellation)
        #expect(analyzer.evaluated <= 32)
        #expect(scheduler.runningCount == 0)
        #expect(scheduler.waitingCount == 0)
    }
}

/// The production analyzer, except that the first message a SEARCH text key asks
/// about waits until the task evaluating it is cancelled. The wait polls every
/// millisecond and gives up after 30 s: a safety net for a broken build, never
/// what a test asserts on.
final class HoldingSearchAnalyzer: MessageAnalyzer {
    private let base = MIMEMessageAnalyzer()
    private let counted = Atomic<Int>(0)
    private let holding = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)
    private let cancelled = Atomic<Bool>(false)

    /// Messages matched so far.
    var evaluated: Int { counted.load(ordering: .acquiring) }
    var isHolding: Bool { holding.load(ordering: .acquiring) }
    var holdEnded: Bool { ended.load(ordering: .acquiring) }
    /// Whether the hold ended because its task was cancelled.
    var sawCancellation: Bool { cancelled.load(ordering: .acquiring) }

    func analyze(_ message: UnsafeRawBufferPointer) -> MessageAnalysis {
        base.analyze(message)
    }

    func matches(_ key: TextSearchKey, message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer) -> Bool {
        if counted.add(1, ordering: .acquiringAndReleasing).newValue == 1 {
            holding.store(true, ordering: .releasing)
            for _ in 0..<30_000 where !Task.isCancelled { usleep(1000) }
            cancelled.store(Task.isCancelled, ordering: .releasing)
            ended.store(true, ordering: .releasing)
        }
        return base.matches(key, message: message, structure: structure)
    }
}
