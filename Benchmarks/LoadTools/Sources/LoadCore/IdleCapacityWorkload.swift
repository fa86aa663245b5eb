#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IMAPCodec

/// `idle-capacity`: opens `--connections` logged-in IDLE connections, holds them,
/// reads the server's memory before and after, then checks every one still answers
/// DONE with OK (a connection the server dropped is not counted as held).
///
/// One process can hold only as many connections as its open-file limit allows; beyond
/// that the run spreads them over child processes (this executable again, with
/// `--child-range`), each opening its share, reporting READY, holding until its standard
/// input closes, then reporting its statistics (histograms included) as JSON.
public struct IdleCapacityWorkload: Sendable {
    public let session: Session
    var options: LoadOptions { session.options }

    public init(session: Session) {
        self.session = session
    }

    public struct Outcome: Sendable {
        public var statistics = RunStatistics()
        public var held = 0
        public var before: MemoryUsage?
        public var after: MemoryUsage?
        public var openSeconds = 0.0
        public var fileLimit: UInt64 = 0
        public var processes = 1
    }

    /// What a child process reports when it ends.
    struct ChildReport: Codable {
        var held: Int
        var statistics: RunStatistics
    }

    /// Processes needed for `connections` when each may hold `perProcess`.
    public static func processCount(connections: Int, fileLimit: UInt64, requested: Int) -> Int {
        let perProcess = max(1000, Int(fileLimit) - 512)
        return max(requested, (connections + perProcess - 1) / perProcess)
    }

    public func run() -> Outcome {
        let fileLimit = FileLimit.raise(to: UInt64(options.connections) + 1024)
        let processes = Self.processCount(connections: options.connections, fileLimit: fileLimit, requested: options.processes)
        var outcome = processes > 1 ? runInChildren(processes) : runHere()
        outcome.fileLimit = fileLimit
        outcome.processes = processes
        return outcome
    }

    private func runHere() -> Outcome {
        var outcome = Outcome()
        if let pid = options.pid { outcome.before = ProcessMemory.treeUsage(root: pid) }
        let start = MonotonicClock.nanoseconds()
        let (connections, opened) = open(0..<options.connections)
        outcome.openSeconds = MonotonicClock.seconds(since: start)
        outcome.statistics.merge(opened)
        usleep(UInt32(options.holdSeconds * 1_000_000))
        if let pid = options.pid { outcome.after = ProcessMemory.treeUsage(root: pid) }
        let (alive, finished) = finish(connections)
        outcome.held = alive
        outcome.statistics.merge(finished)
        return outcome
    }

    /// Opens the connections whose global indices are in `range` (indices pick the user
    /// and the source address, so children spread exactly as one process would).
    func open(_ range: Range<Int>) -> ([IdleConnection], RunStatistics) {
        let workers = max(1, min(8, range.count))
        let total = options.connections
        let session = self.session
        let options = self.options
        let opened = WorkerPool.run(count: workers) { worker -> ([IdleConnection], RunStatistics) in
            var statistics = RunStatistics()
            var connections: [IdleConnection] = []
            var consecutiveFailures = 0
            for index in stride(from: range.lowerBound + worker, to: range.upperBound, by: workers) {
                do throws(LoadError) {
                    let idle = try measure("IDLE SETUP", into: &statistics) { () throws(LoadError) in
                        try IdleConnection.open(session: session, user: options.userName(index), mailbox: .inbox,
                                                sourceAddress: sourceAddress(forConnection: index, of: total))
                    }
                    if let idle { connections.append(idle); consecutiveFailures = 0 } else { consecutiveFailures += 1 }
                } catch {
                    consecutiveFailures += 1
                }
                // A server that refuses everything is not worth thousands more attempts.
                if consecutiveFailures >= 50 { break }
            }
            return (connections, statistics)
        }
        var statistics = RunStatistics()
        for (_, part) in opened { statistics.merge(part) }
        return (opened.flatMap(\.0), statistics)
    }

    /// Ends IDLE on every connection (each must answer OK) and closes it.
    func finish(_ connections: [IdleConnection]) -> (Int, RunStatistics) {
        let workers = max(1, min(8, connections.count))
        let checked = WorkerPool.run(count: workers) { worker -> (Int, RunStatistics) in
            var statistics = RunStatistics()
            var alive = 0
            for index in stride(from: worker, to: connections.count, by: workers) {
                let idle = connections[index]
                do throws(LoadError) {
                    try measure("IDLE DONE", into: &statistics) { () throws(LoadError) in try idle.done() }
                    alive += 1
                } catch {}
                idle.connection.close()
            }
            return (alive, statistics)
        }
        var statistics = RunStatistics()
        var alive = 0
        for (count, part) in checked {
            alive += count
            statistics.merge(part)
        }
        return (alive, statistics)
    }

    /// Child mode: open `range`, say READY, hold until standard input closes, report.
    public func runChild(_ range: Range<Int>) -> Int32 {
        FileLimit.raise(to: UInt64(range.count) + 512)
        let (connections, opened) = open(range)
        FileHandle.standardOutput.write(Data("READY \(connections.count)\n".utf8))
        var byte: UInt8 = 0
        while read(0, &byte, 1) > 0 {}
        var (alive, statistics) = finish(connections)
        statistics.merge(opened)
        guard let data = try? JSONEncoder().encode(ChildReport(held: alive, statistics: statistics)) else { return 1 }
        FileHandle.standardOutput.write(Data("RESULT ".utf8) + data + Data("\n".utf8))
        return 0
    }

    private func runInChildren(_ processes: Int) -> Outcome {
        var outcome = Outcome()
        if let pid = options.pid { outcome.before = ProcessMemory.treeUsage(root: pid) }
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let share = (options.connections + processes - 1) / processes
        var children: [(Process, Pipe, Pipe)] = []
        let start = MonotonicClock.nanoseconds()
        for child in 0..<processes {
            let lower = child * share
            let upper = min(options.connections, lower + share)
            guard lower < upper else { break }
            let process = Process()
            process.executableURL = executable
            process.arguments = Array(CommandLine.arguments.dropFirst()) + ["--child-range", "\(lower):\(upper - lower)"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            do {
                try process.run()
                children.append((process, input, output))
            } catch {
                outcome.statistics.recordError("spawn")
            }
        }
        for (_, _, output) in children { _ = Self.readLine(output.fileHandleForReading.fileDescriptor) }
        outcome.openSeconds = MonotonicClock.seconds(since: start)
        usleep(UInt32(options.holdSeconds * 1_000_000))
        if let pid = options.pid { outcome.after = ProcessMemory.treeUsage(root: pid) }
        for (_, input, _) in children { try? input.fileHandleForWriting.close() }
        for (process, _, output) in children {
            let line = Self.readLine(output.fileHandleForReading.fileDescriptor)
            process.waitUntilExit()
            guard line.hasPrefix("RESULT "), let report = try? JSONDecoder().decode(ChildReport.self, from: Data(line.dropFirst(7).utf8)) else {
                outcome.statistics.recordError("child failed")
                continue
            }
            outcome.held += report.held
            outcome.statistics.merge(report.statistics)
        }
        return outcome
    }

    /// One line from a pipe (without the newline), or what came before end of file.
    static func readLine(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1 {
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
