import Histogram

/// Latency and volume of one kind of operation, as one worker measured it or merged
/// over all workers.
///
/// Latencies are recorded in microseconds in an HdrHistogram with three significant
/// digits, so a reported percentile is within 0.1% of the true sample value.
public struct CommandStatistics: Sendable, Codable {
    public private(set) var latency: Histogram<UInt64>
    /// Operations that completed and passed validation.
    public private(set) var count: UInt64 = 0
    /// Payload bytes moved by those operations (message bodies fetched or appended).
    public private(set) var bytes: UInt64 = 0

    public init() {
        latency = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        latency.autoResize = true
    }

    /// Records one validated operation.
    public mutating func record(microseconds: UInt64, bytes: UInt64 = 0) {
        _ = latency.record(max(1, microseconds))
        count += 1
        self.bytes += bytes
    }

    public mutating func merge(_ other: CommandStatistics) {
        latency.add(other.latency)
        count += other.count
        bytes += other.bytes
    }

    /// The latency at `percentile` (0–100) in microseconds, 0 when nothing was recorded.
    public func percentile(_ percentile: Double) -> UInt64 {
        count == 0 ? 0 : latency.valueAtPercentile(percentile)
    }
}

/// Everything one worker (or a whole run, merged) measured: validated operations by
/// command and failures by kind. Failures never count as throughput.
public struct RunStatistics: Sendable, Codable {
    public var commands: [String: CommandStatistics] = [:]
    public var errors: [String: UInt64] = [:]

    public init() {}

    public mutating func record(_ command: String, microseconds: UInt64, bytes: UInt64 = 0) {
        commands[command, default: CommandStatistics()].record(microseconds: microseconds, bytes: bytes)
    }

    public mutating func recordError(_ kind: String) {
        errors[kind, default: 0] += 1
    }

    public mutating func merge(_ other: RunStatistics) {
        for (name, statistics) in other.commands { commands[name, default: CommandStatistics()].merge(statistics) }
        for (kind, count) in other.errors { errors[kind, default: 0] += count }
    }

    public var totalOperations: UInt64 { commands.values.reduce(0) { $0 + $1.count } }
    public var totalBytes: UInt64 { commands.values.reduce(0) { $0 + $1.bytes } }
    public var totalErrors: UInt64 { errors.values.reduce(0, +) }
}

/// Rates over a measured interval.
public enum Rate {
    /// `count` per second over `seconds`; 0 for an empty interval rather than infinity.
    public static func perSecond(_ count: UInt64, seconds: Double) -> Double {
        seconds > 0 ? Double(count) / seconds : 0
    }

    /// Megabytes (10^6 bytes) per second.
    public static func megabytesPerSecond(_ bytes: UInt64, seconds: Double) -> Double {
        perSecond(bytes, seconds: seconds) / 1_000_000
    }
}
