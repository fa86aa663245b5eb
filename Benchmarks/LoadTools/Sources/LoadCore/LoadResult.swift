import Foundation

/// The machine-readable result of one run (`--json`). Field names are stable: the
/// side-by-side and sweep scripts read them.
public struct LoadResult: Codable, Sendable {
    public struct CommandSummary: Codable, Sendable, Equatable {
        public var count: UInt64
        public var perSecond: Double
        public var megabytesPerSecond: Double
        public var p50Microseconds: UInt64
        public var p90Microseconds: UInt64
        public var p99Microseconds: UInt64
        public var p999Microseconds: UInt64
        public var maxMicroseconds: UInt64
    }

    public struct IdleSummary: Codable, Sendable {
        public var requested: Int
        public var held: Int
        public var openSeconds: Double
        public var fileLimit: UInt64
        /// Client processes the connections were spread over.
        public var processes: Int
        public var before: MemoryUsage?
        public var after: MemoryUsage?
        /// (after − before) / held, in KiB; nil without `--pid` or with nothing held.
        public var pssKiBPerConnection: Double?
        public var rssKiBPerConnection: Double?
    }

    public var workload: String
    public var label: String?
    public var host: String
    public var port: UInt16
    public var clients: Int
    public var messageSize: Int
    public var seconds: Double
    public var commands: [String: CommandSummary]
    public var errors: [String: UInt64]
    public var totalOperations: UInt64
    public var operationsPerSecond: Double
    public var megabytesPerSecond: Double
    /// The workload's headline figure, named by ``headlineName``.
    public var headline: Double
    public var headlineName: String
    public var idle: IdleSummary?
    /// Set when the run could not measure at all (e.g. every login failed).
    public var fatal: String?

    public init(options: LoadOptions, statistics: RunStatistics, seconds: Double) {
        workload = options.workload.rawValue
        label = options.label
        host = options.host
        port = options.port
        clients = options.workload == .idleFanout ? options.idlers : options.clients
        messageSize = options.messageSize
        self.seconds = seconds
        commands = statistics.commands.mapValues { Self.summary($0, seconds: seconds) }
        errors = statistics.errors
        let measured = statistics.commands.filter {
            !Self.setupOperations.contains($0.key) && !Self.costFigures.contains($0.key) && !Self.secondTimings.contains($0.key)
        }
        totalOperations = measured.values.reduce(0) { $0 + $1.count }
        operationsPerSecond = Rate.perSecond(totalOperations, seconds: seconds)
        megabytesPerSecond = Rate.megabytesPerSecond(measured.values.reduce(0) { $0 + $1.bytes }, seconds: seconds)
        headline = operationsPerSecond
        headlineName = "operations/s"
        switch options.workload {
        case .mix: break
        case .fetchBodies:
            headline = megabytesPerSecond
            headlineName = "MB/s"
        case .append:
            headline = commands["APPEND"]?.perSecond ?? 0
            headlineName = "messages/s"
        case .idleFanout:
            // By arrival in the idlers' sockets: the client's own reading, which shares
            // the server's cores here, stays out (DELIVERY TO ALL keeps the read figure).
            headline = Double(commands[FanoutReceiver.arrivalAtAll]?.p99Microseconds ?? 0) / 1000
            headlineName = "p99 arrival at all (ms)"
        case .idleCapacity:
            headlineName = "PSS KiB/connection"
            headline = 0
        case .fetchHeaders:
            headline = (commands[FetchHeadersWorkload.operation]?.perSecond ?? 0) * Double(options.messages)
            headlineName = "messages/s"
        case .store:
            headline = Self.perSecond(of: commands, prefix: "STORE ")
            headlineName = "STOREs/s"
        case .search:
            headline = Self.perSecond(of: commands, prefix: "SEARCH ")
            headlineName = "searches/s"
        case .serveCopy:
            break
        }
    }

    /// Validated operations per second over the commands named `prefix`….
    static func perSecond(of commands: [String: CommandSummary], prefix: String) -> Double {
        commands.filter { $0.key.hasPrefix(prefix) }.values.reduce(0) { $0 + $1.perSecond }
    }

    /// Operations that prepare a measurement rather than being it (logins before the
    /// start line, IDLE entry and exit); a LOGIN inside the mix is an operation.
    static let setupOperations: Set<String> = ["SETUP LOGIN", "SETUP EXAMINE", "IDLE SETUP", "IDLE DONE"]
    /// Costs recorded beside the operations (CPU time per delivery), not operations.
    static let costFigures: Set<String> = [IdleFanoutWorkload.clientCPU, IdleFanoutWorkload.serverCPU]
    /// The same deliveries timed a second way (by receive timestamp), not more operations.
    static let secondTimings: Set<String> = [FanoutReceiver.arrival, FanoutReceiver.arrivalAtAll]

    public mutating func attach(idle outcome: IdleCapacityWorkload.Outcome, requested: Int) {
        var summary = IdleSummary(requested: requested, held: outcome.held, openSeconds: outcome.openSeconds,
                                  fileLimit: outcome.fileLimit, processes: outcome.processes,
                                  before: outcome.before, after: outcome.after)
        if let before = outcome.before, let after = outcome.after, outcome.held > 0 {
            summary.pssKiBPerConnection = Self.perConnection(after.pssKiB, before.pssKiB, outcome.held)
            summary.rssKiBPerConnection = Self.perConnection(after.rssKiB, before.rssKiB, outcome.held)
        }
        idle = summary
        headline = summary.pssKiBPerConnection ?? 0
    }

    /// Memory growth per connection; negative growth (another process freed memory) is
    /// reported as is rather than hidden.
    public static func perConnection(_ after: UInt64, _ before: UInt64, _ connections: Int) -> Double {
        (Double(after) - Double(before)) / Double(connections)
    }

    static func summary(_ statistics: CommandStatistics, seconds: Double) -> CommandSummary {
        CommandSummary(
            count: statistics.count,
            perSecond: Rate.perSecond(statistics.count, seconds: seconds),
            megabytesPerSecond: Rate.megabytesPerSecond(statistics.bytes, seconds: seconds),
            p50Microseconds: statistics.percentile(50), p90Microseconds: statistics.percentile(90),
            p99Microseconds: statistics.percentile(99), p999Microseconds: statistics.percentile(99.9),
            maxMicroseconds: statistics.count == 0 ? 0 : statistics.latency.max)
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The human table: one row per operation, then errors and the headline.
    public func table() -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        func ms(_ microseconds: UInt64) -> String { String(format: "%.3f", Double(microseconds) / 1000) }
        var lines = ["\(workload) against \(host):\(port), \(clients) clients, \(String(format: "%.1f", seconds)) s" + (label.map { " [\($0)]" } ?? "")]
        lines.append(pad("operation", 16, left: true) + pad("count", 10) + pad("per s", 11) + pad("MB/s", 9)
            + pad("p50 ms", 10) + pad("p90 ms", 10) + pad("p99 ms", 10) + pad("p99.9 ms", 10) + pad("max ms", 10))
        for (name, summary) in commands.sorted(by: { $0.key < $1.key }) {
            lines.append(pad(name, 16, left: true) + pad("\(summary.count)", 10) + pad(String(format: "%.1f", summary.perSecond), 11)
                + pad(String(format: "%.2f", summary.megabytesPerSecond), 9) + pad(ms(summary.p50Microseconds), 10)
                + pad(ms(summary.p90Microseconds), 10) + pad(ms(summary.p99Microseconds), 10)
                + pad(ms(summary.p999Microseconds), 10) + pad(ms(summary.maxMicroseconds), 10))
        }
        if errors.isEmpty {
            lines.append("errors: none")
        } else {
            lines.append("errors: " + errors.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        if let idle {
            lines.append("idle: \(idle.held)/\(idle.requested) held, opened in \(String(format: "%.1f", idle.openSeconds)) s by \(idle.processes) process(es), file limit \(idle.fileLimit)")
            if let before = idle.before, let after = idle.after {
                lines.append("server memory: PSS \(before.pssKiB) → \(after.pssKiB) KiB, RSS \(before.rssKiB) → \(after.rssKiB) KiB, processes \(before.processes) → \(after.processes)")
            }
            if let pss = idle.pssKiBPerConnection, let rss = idle.rssKiBPerConnection {
                lines.append(String(format: "per connection: PSS %.1f KiB, RSS %.1f KiB", pss, rss))
            }
        }
        if let fatal { lines.append("FATAL: \(fatal)") }
        lines.append(String(format: "%@: %.2f", headlineName, headline))
        return lines.joined(separator: "\n")
    }
}
