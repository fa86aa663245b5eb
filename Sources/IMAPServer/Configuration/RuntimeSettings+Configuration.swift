import Configuration
import ShardRuntime

extension RuntimeSettings {
    /// The runtime's tunables from the configuration layer; unset keys keep the
    /// runtime's defaults, and the runtime clamps what is out of its range.
    init(_ config: ConfigReader) throws {
        self.init()
        let anyPositive = 1...Int.max
        shards = try config.integer(.shards, default: shards, in: anyPositive)
        ringEntries = try config.integer(.ringEntries, default: ringEntries, in: anyPositive)
        receiveBufferSize = try config.integer(.receiveBufferSize, default: receiveBufferSize, in: anyPositive)
        receiveBufferCount = try config.integer(.receiveBufferCount, default: receiveBufferCount, in: anyPositive)
        sendZeroCopyThreshold = try config.integer(.sendZeroCopyThreshold, default: sendZeroCopyThreshold, in: 0...Int.max)
        pinThreads = try config.flag(.pinThreads, default: pinThreads)
        maxOutputBytesPerConnection = try config.integer(.maxOutputBytes, default: maxOutputBytesPerConnection, in: anyPositive)
        let stalledSeconds = try config.integer(
            .stalledPeerTimeout, default: Int(stalledPeerTimeout.components.seconds), in: anyPositive)
        stalledPeerTimeout = .seconds(stalledSeconds)
        spliceChunkSize = try config.integer(.spliceChunk, default: spliceChunkSize, in: anyPositive)
        splicePipesPerShard = try config.integer(.splicePipes, default: splicePipesPerShard, in: 0...Int.max)
        splicePipeSize = try config.integer(.splicePipeSize, default: splicePipeSize, in: anyPositive)
        inlineFileSendLimit = try config.integer(.inlineFileSendLimit, default: inlineFileSendLimit, in: 0...Int.max)
        tcpCongestionControl = try config.congestionControlName(.tcpCongestion)
        listenBacklog = try config.integer(.listenBacklog, default: listenBacklog, in: anyPositive)
        jobsPerTurn = try config.integer(.jobsPerTurn, default: jobsPerTurn, in: anyPositive)
        fixedFiles = try config.flag(.fixedFiles, default: fixedFiles)
        fixedFileSlots = try config.integer(.fixedFileSlots, default: fixedFileSlots, in: 0...Int.max)
    }
}

extension ConfigReader {
    /// A congestion-control name as TCP_CONGESTION takes it (lower-case letters, digits
    /// and "_", under 16 bytes), or nil for the system's default when unset or empty.
    /// Whether the kernel has the algorithm is only known at listen, which then fails
    /// with the name in its error.
    func congestionControlName(_ setting: SettingKey) throws -> String? {
        let name = text(setting, default: "")
        guard !name.isEmpty else { return nil }
        let allowed = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        guard allowed, name.utf8.count < 16 else {
            throw InvalidSetting(setting: setting, reason: "\"\(name)\" is not a congestion-control name (see net.ipv4.tcp_available_congestion_control)")
        }
        return name
    }
}
