import Synchronization
import Testing
@testable import IMAPServer

/// `SearchAdmission`: at most `limit` searches per user at once, the rest wait in
/// order; other users are not held up; a cancelled waiter leaves without running.
@Suite struct SearchAdmissionTests {
    /// A search that runs until `open()`.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() { (stream, continuation) = AsyncStream.makeStream() }

        func wait() async { for await _ in stream { return } }
        func open() { continuation.yield() }
    }

    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    /// Polls (bounded, never a timed assertion) until `done`.
    static func poll(until done: () -> Bool) async throws {
        for _ in 0..<2000 where !done() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func aUsersFurtherSearchesWaitOthersDoNot() async throws {
        let admission = SearchAdmission(limit: 1)
        let gate = Gate()
        let log = Log()
        let first = Task { try await admission.run(for: "alice") { await gate.wait(); log.append("alice 1") } }
        try await Self.poll { admission.running("alice") == 1 }
        let second = Task { try await admission.run(for: "alice") { log.append("alice 2") } }
        try await Self.poll { admission.waiting("alice") == 1 }
        #expect(admission.waiting("alice") == 1)

        // Another user's search is admitted at once.
        try await admission.run(for: "bob") { log.append("bob") }
        #expect(log.all == ["bob"])

        gate.open()
        try await first.value
        try await second.value
        #expect(log.all == ["bob", "alice 1", "alice 2"])
        #expect(admission.running("alice") == 0)
        #expect(admission.waiting("alice") == 0)
    }

    @Test func aCancelledWaiterLeavesWithoutRunning() async throws {
        let admission = SearchAdmission(limit: 1)
        let gate = Gate()
        let log = Log()
        let first = Task { try await admission.run(for: "alice") { await gate.wait(); log.append("first") } }
        try await Self.poll { admission.running("alice") == 1 }
        let waiter = Task { try await admission.run(for: "alice") { log.append("waiter") } }
        try await Self.poll { admission.waiting("alice") == 1 }

        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(admission.waiting("alice") == 0)
        #expect(admission.running("alice") == 1)

        gate.open()
        try await first.value
        #expect(log.all == ["first"])
        #expect(admission.running("alice") == 0)
        // The place is free again.
        #expect(try await admission.run(for: "alice") { 7 } == 7)
    }

    @Test func zeroSetsNoBound() async throws {
        let admission = SearchAdmission(limit: 0)
        let gate = Gate()
        let held = Task { try await admission.run(for: "alice") { await gate.wait() } }
        #expect(try await admission.run(for: "alice") { 1 } == 1)
        gate.open()
        try await held.value
    }
}
