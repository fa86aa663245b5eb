// MailStore benchmarks: durable appends (1 and 64 writers, 4 KiB and 100 KiB),
// flag changes, opening 100,000- and 1,000,000-message mailboxes from their
// snapshot, and index memory per message. Results: Benchmarks/results/store.md.
//
// Every store lives under $MAILSTORE_BENCH_DIR (default /tmp) on the disk being
// measured; durable means fsync'd (group commit), as in production.
import Benchmark
import Glibc
@_spi(Benchmarks) import MailStore

func benchRoot(_ name: String) -> String {
    let base = ProcessInfoLite.environment("MAILSTORE_BENCH_DIR") ?? "/tmp"
    let path = "\(base)/mailstore-bench-\(getpid())-\(name)"
    try? PosixFileIO().removeTree(path)
    return path
}

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

func message(size: Int) -> [UInt8] {
    var text = "From: bench@example.com\r\nTo: you@example.com\r\nSubject: benchmark\r\nDate: Fri, 27 Nov 2026 04:00:00 +0000\r\n\r\n"
    let line = "The quick brown fox jumps over the lazy dog, again and again.\r\n"
    while text.utf8.count + line.utf8.count <= size { text += line }
    return Array(text.utf8)
}

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { s in
        withUnsafeMutablePointer(to: &resident) { r in _ = withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) } }
    }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A fresh store, user and INBOX for one benchmark.
final class Fixture: @unchecked Sendable {
    let root: String
    let store: MailStore
    var inbox: Mailbox!

    init(_ name: String, durability: Durability = .durable) async throws {
        root = benchRoot(name)
        let bodySync: BodySync = ProcessInfoLite.environment("MAILSTORE_BENCH_BODY_SYNC") == "filesystem" ? .filesystem : .perFile
        store = try MailStore(root: root, options: StoreOptions(durability: durability, bodySync: bodySync))
        inbox = try await store.user("bench").mailbox(named: "INBOX")
    }

    func tearDown() async {
        await store.close()
        try? PosixFileIO().removeTree(root)
    }
}

let benchmarks: @Sendable () -> Void = {
    let appendConfig = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .cpuTotal, .syscalls], warmupIterations: 5,
        maxDuration: .seconds(4), maxIterations: 2_000)

    for (label, size) in [("4 KiB", 4_096), ("100 KiB", 102_400)] {
        let body = message(size: size)

        nonisolated(unsafe) var single: Fixture!
        Benchmark("Durable append \(label), 1 writer (per append)", configuration: appendConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try await single.inbox.append(body))
            }
        } setup: {
            single = try await Fixture("append1-\(size)")
        } teardown: {
            await single.tearDown()
        }

        nonisolated(unsafe) var many: Fixture!
        // 64 writers each appending 8 messages back to back: a steady stream, as
        // 64 clients would send, so group commits run full.
        Benchmark("Durable append \(label), 64 writers (per 512 appends)", configuration: appendConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<64 {
                        group.addTask { for _ in 0..<8 { blackHole(try await many.inbox.append(body)) } }
                    }
                    try await group.waitForAll()
                }
            }
        } setup: {
            many = try await Fixture("append64-\(size)")
        } teardown: {
            await many.tearDown()
        }
    }

    // The same stream with no fsync at all: the CPU cost of an append, for scale.
    nonisolated(unsafe) var relaxed: Fixture!
    let relaxedBody = message(size: 4_096)
    Benchmark("Relaxed append 4 KiB, 64 writers (per 512 appends)", configuration: appendConfig) { benchmark in
        for _ in benchmark.scaledIterations {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask { for _ in 0..<8 { blackHole(try await relaxed.inbox.append(relaxedBody)) } }
                }
                try await group.waitForAll()
            }
        }
    } setup: {
        relaxed = try await Fixture("append64-relaxed", durability: .relaxed)
    } teardown: {
        await relaxed.tearDown()
    }

    // Flag changes on a 10,000-message mailbox.
    let flagConfig = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .cpuTotal], warmupIterations: 5, maxDuration: .seconds(3), maxIterations: 100_000)
    for (label, durability) in [("durable", Durability.durable), ("relaxed", Durability.relaxed)] {
        /// A 10,000-message INBOX of 512-byte messages.
        @Sendable func tenThousand() async throws -> Fixture {
            let fixture = try await Fixture("flags-\(label)-\(UInt32.random(in: 0...UInt32.max))", durability: durability)
            let small = message(size: 512)
            for _ in 0..<100 { _ = try await fixture.inbox.append((0..<100).map { _ in NewMessage(small) }) }
            return fixture
        }

        // Counters live outside the closures: the closure runs once per sample.
        nonisolated(unsafe) var oneCounter = 0, concurrentCounter = 0, rangeCounter = 0
        nonisolated(unsafe) var one: Fixture!
        Benchmark("STORE one message, \(label) (per change)", configuration: flagConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                oneCounter += 1
                let i = oneCounter
                let uid = UID(i % 10_000 + 1)
                let flags = MessageFlags(.seen)
                blackHole(try await one.inbox.store(i % 20_000 < 10_000 ? .add(flags) : .remove(flags), uids: UIDSet([uid...uid])))
            }
        } setup: { one = try await tenThousand() } teardown: { await one.tearDown() }

        nonisolated(unsafe) var concurrent: Fixture!
        Benchmark("STORE one message, 64 concurrent, \(label) (per 64 changes)", configuration: flagConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                concurrentCounter += 1
                let i = concurrentCounter
                let flags = MessageFlags(.seen)
                let change: FlagChange = (i * 64) % 20_000 < 10_000 ? .add(flags) : .remove(flags)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for j in 0..<64 {
                        let uid = UID((i * 64 + j) % 10_000 + 1)
                        group.addTask { _ = try await concurrent.inbox.store(change, uids: UIDSet([uid...uid])) }
                    }
                    try await group.waitForAll()
                }
            }
        } setup: { concurrent = try await tenThousand() } teardown: { await concurrent.tearDown() }

        nonisolated(unsafe) var range: Fixture!
        Benchmark("STORE 1:10000 FLAGS, \(label) (per 10,000 changes)", configuration: flagConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                rangeCounter += 1
                let i = rangeCounter
                // Alternate two flag sets so every message changes every time.
                let flags = i % 2 == 0 ? MessageFlags(.seen, keywords: ["Work"]) : MessageFlags(.flagged)
                let result = try await range.inbox.store(.replace(flags), uids: UIDSet([1...10_000]))
                precondition(result.changed.count == 10_000)
            }
        } setup: { range = try await tenThousand() } teardown: { await range.tearDown() }
    }

    // Opening big mailboxes from their snapshot (a fresh MailStore each time, so
    // nothing is cached in the process; the snapshot file is in the page cache).
    for count in [100_000, 1_000_000] {
        nonisolated(unsafe) var root = ""
        Benchmark(
            "Open \(count)-message mailbox from snapshot",
            configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResidentDelta,
                                           .custom("index bytes per message", polarity: .prefersSmaller, useScalingFactor: false),
                                           .custom("RSS bytes per message", polarity: .prefersSmaller, useScalingFactor: false)],
                                 warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
        ) { benchmark in
            let before = residentBytes()
            benchmark.startMeasurement()
            let store = try MailStore(root: root)
            let mailbox = try await store.user("bench").mailbox(named: "Big")
            benchmark.stopMeasurement()
            precondition(mailbox.status().messages == count)
            benchmark.measurement(.custom("index bytes per message", polarity: .prefersSmaller, useScalingFactor: false),
                                  Int(mailbox.indexBytesPerMessage.rounded()))
            benchmark.measurement(.custom("RSS bytes per message", polarity: .prefersSmaller, useScalingFactor: false),
                                  (residentBytes() - before) / count)
            blackHole(mailbox)
            await store.close()
        } setup: {
            root = benchRoot("open-\(count)")
            let store = try MailStore(root: root)
            try await store.user("bench").createSyntheticMailbox("Big", count: count)
            await store.close()
        } teardown: {
            try? PosixFileIO().removeTree(root)
        }
    }
}
