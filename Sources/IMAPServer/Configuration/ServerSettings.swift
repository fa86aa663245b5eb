import Configuration
import Logging
import ShardRuntime

/// Everything the server is configured with, resolved once at start-up from
/// defaults < config file < `MAILSHARD_*` environment < command-line flags.
/// Tuning/README.md documents each setting; `SettingKey.all` lists them.
public struct ServerSettings: Sendable, Equatable {
    /// Address to listen on. The embedded default is loopback only.
    public var listenAddress = "127.0.0.1"
    /// Port for IMAP (plaintext, with STARTTLS when a certificate is set). 1143
    /// so no root is needed.
    public var listenPort = 1143
    /// Port for IMAP over implicit TLS (IMAPS, 993 by convention; RFC 8314);
    /// 0 listens on none. Needs the certificate and key below.
    public var tlsListenPort = 0
    /// The server's certificate chain and private key (PEM). With both set,
    /// STARTTLS is offered on `listenPort` and `tlsListenPort` can serve TLS.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Root of the mail store: users' directories and the passwd-file live here.
    public var dataDirectory = "./data"
    /// The Dovecot-compatible passwd-file; by default `passwd` in the data directory.
    public var passwdFile: String { passwdFileOverride ?? dataDirectory + "/passwd" }
    var passwdFileOverride: String?
    /// Least severe log level written: trace, debug, info, notice, warning, error, critical.
    public var logLevel = Logger.Level.info
    /// Shards, rings, buffers and output limits (Tuning/README.md).
    public var runtime = RuntimeSettings()
    /// Allow LOGIN and AUTHENTICATE PLAIN/LOGIN on plaintext connections from
    /// non-loopback addresses. Off: such clients see LOGINDISABLED and get
    /// `NO [PRIVACYREQUIRED]` (TLS, once it exists, makes a connection private).
    public var allowPlaintextAuthentication = false
    /// Autologout of an idle authenticated session; RFC 9051 requires at least 30 minutes.
    public var authenticatedTimeout: Duration = .seconds(30 * 60)
    /// Autologout of a connection that has not logged in.
    public var loginTimeout: Duration = .seconds(60)
    /// Interval of `* OK Still here` during IDLE, so NAT gateways keep the connection.
    public var idleKeepalive: Duration = .seconds(120)
    /// Delay before the answer to the first failed login; it doubles per failure (LoginThrottle).
    public var loginFailureDelay: Duration = .milliseconds(500)
    /// Memory all mailboxes' header caches share (header FETCH and SEARCH read
    /// them instead of the message files); 0 turns the cache off.
    public var headerCacheBytes = 256 << 20
    /// How long a mailbox's header cache lives without being read.
    public var headerCacheIdleTimeout: Duration = .seconds(120)
    /// Sessions of one user kept on the user's home shard before further ones are
    /// spread over the shards (HomeShardPlacement); 0 keeps every session at home.
    /// 16 covers a user's devices and their parallel connections (a desktop client
    /// opens up to 5), so ordinary users never leave home; a mailbox watched by
    /// thousands of sessions has its IDLE fan-out sent by every core.
    public var homeShardSessions = 16
    /// SEARCH chunks evaluated at once off the shards, process-wide
    /// (`SearchScheduler`); 0 means one per shard (`searchWorkerCount`).
    public var searchWorkers = 0
    /// Messages per chunk of a SEARCH that reads messages; searches the index
    /// answers alone take chunks eight times longer.
    public var searchChunkMessages = 8192
    /// SEARCHes one user runs off the shards at once (`SearchAdmission`); 0
    /// sets no bound.
    public var searchPerUser = 4
    /// Whether loopback peers count as private for plaintext authentication. Tests
    /// turn it off to see what a remote plaintext client sees.
    var loopbackIsPrivate = true

    public init() {}

    /// Resolves settings from `source`, reporting the first invalid value.
    public static func load(from source: SettingsSource) async throws -> ServerSettings {
        let config = try await source.reader()
        var settings = ServerSettings()
        settings.listenAddress = config.text(.listenAddress, default: settings.listenAddress)
        settings.listenPort = try config.integer(.listenPort, default: settings.listenPort, in: 1...65535)
        settings.dataDirectory = config.text(.dataDirectory, default: settings.dataDirectory)
        settings.passwdFileOverride = config.string(forKey: SettingKey.passwdFile.configKey)
        let level = config.text(.logLevel, default: settings.logLevel.rawValue)
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw InvalidSetting(setting: .logLevel, reason: "\"\(level)\" is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        settings.logLevel = logLevel
        settings.runtime = try RuntimeSettings(config)
        settings.allowPlaintextAuthentication = try config.flag(.allowPlaintext, default: false)
        try settings.loadTLS(config)
        settings.authenticatedTimeout = .seconds(try config.integer(
            .authenticatedTimeout, default: 30 * 60, in: 1...(7 * 24 * 3600)))
        settings.loginTimeout = .seconds(try config.integer(.loginTimeout, default: 60, in: 1...3600))
        settings.loginFailureDelay = .milliseconds(try config.integer(.loginFailureDelay, default: 500, in: 0...60_000))
        settings.idleKeepalive = .seconds(try config.integer(.idleKeepalive, default: 120, in: 1...3600))
        settings.headerCacheBytes = try config.integer(.headerCacheMegabytes, default: 256, in: 0...65536) << 20
        settings.headerCacheIdleTimeout = .seconds(try config.integer(.headerCacheIdleSeconds, default: 120, in: 1...86400))
        settings.homeShardSessions = try config.integer(
            .homeShardSessions, default: settings.homeShardSessions, in: 0...1_000_000)
        settings.searchWorkers = try config.integer(.searchWorkers, default: settings.searchWorkers, in: 0...1024)
        settings.searchChunkMessages = try config.integer(
            .searchChunkMessages, default: settings.searchChunkMessages, in: 64...1_048_576)
        settings.searchPerUser = try config.integer(.searchPerUser, default: settings.searchPerUser, in: 0...1024)
        return settings
    }
}

extension SettingKey {
    public static let listenAddress = SettingKey("listen.address")
    public static let listenPort = SettingKey("listen.port")
    public static let tlsListenPort = SettingKey("listen.tls-port")
    public static let tlsCertificateFile = SettingKey("tls.cert-file")
    public static let tlsKeyFile = SettingKey("tls.key-file")
    public static let dataDirectory = SettingKey("data.dir")
    public static let passwdFile = SettingKey("auth.passwd-file")
    public static let logLevel = SettingKey("log.level")
    public static let shards = SettingKey("shards")
    public static let ringEntries = SettingKey("ring.entries")
    public static let receiveBufferSize = SettingKey("recv.buffer-size")
    public static let receiveBufferCount = SettingKey("recv.buffer-count")
    public static let sendZeroCopyThreshold = SettingKey("send.zc-threshold")
    public static let pinThreads = SettingKey("pin-threads")
    public static let maxOutputBytes = SettingKey("max-output-bytes")
    public static let stalledPeerTimeout = SettingKey("stalled-peer-timeout")
    public static let spliceChunk = SettingKey("splice-chunk")
    public static let splicePipes = SettingKey("splice-pipes")
    public static let splicePipeSize = SettingKey("splice-pipe-size")
    public static let inlineFileSendLimit = SettingKey("inline-file-send-limit")
    public static let tcpCongestion = SettingKey("tcp-congestion")
    public static let listenBacklog = SettingKey("listen.backlog")
    public static let jobsPerTurn = SettingKey("jobs-per-turn")
    public static let fixedFiles = SettingKey("fixed-files")
    public static let fixedFileSlots = SettingKey("fixed-file-slots")
    public static let allowPlaintext = SettingKey("auth.allow-plaintext")
    public static let loginFailureDelay = SettingKey("auth.failure-delay-ms")
    public static let authenticatedTimeout = SettingKey("session.idle-timeout")
    public static let loginTimeout = SettingKey("session.login-timeout")
    public static let idleKeepalive = SettingKey("session.idle-keepalive")
    public static let headerCacheMegabytes = SettingKey("header-cache.mb")
    public static let headerCacheIdleSeconds = SettingKey("header-cache.idle-seconds")
    public static let homeShardSessions = SettingKey("home-shard-sessions")
    public static let searchWorkers = SettingKey("search.workers")
    public static let searchChunkMessages = SettingKey("search.chunk-messages")
    public static let searchPerUser = SettingKey("search.per-user")

    /// Every setting the server reads, for help text and documentation checks.
    public static let all: [SettingKey] = [
        .listenAddress, .listenPort, .tlsListenPort, .tlsCertificateFile, .tlsKeyFile, .dataDirectory, .passwdFile, .logLevel,
        .shards, .ringEntries, .receiveBufferSize, .receiveBufferCount, .sendZeroCopyThreshold,
        .pinThreads, .maxOutputBytes, .stalledPeerTimeout, .spliceChunk, .splicePipes, .splicePipeSize,
        .inlineFileSendLimit, .tcpCongestion,
        .listenBacklog, .jobsPerTurn, .fixedFiles, .fixedFileSlots,
        .allowPlaintext, .loginFailureDelay, .authenticatedTimeout, .loginTimeout, .idleKeepalive,
        .headerCacheMegabytes, .headerCacheIdleSeconds,
        .homeShardSessions,
        .searchWorkers, .searchChunkMessages, .searchPerUser,
    ]
}

/// A setting whose value cannot be used; the message names the key, the
/// environment variable and what was wrong, so an operator can fix it at once.
public struct InvalidSetting: Error, CustomStringConvertible {
    public let setting: SettingKey
    public let reason: String

    public var description: String {
        "invalid setting \(setting.key) (\(setting.environmentVariable)): \(reason)"
    }
}

// The reader's plain getters answer nil both for a missing key and for a value
// that does not convert; a server must not run on a typo silently, so a nil is
// checked against the raw text before the default is used.
extension ConfigReader {
    func text(_ setting: SettingKey, default defaultValue: String) -> String {
        string(forKey: setting.configKey) ?? defaultValue
    }

    func integer(_ setting: SettingKey, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let value = int(forKey: setting.configKey) else {
            try rejectUnconverted(setting, expected: "an integer")
            return defaultValue
        }
        guard range.contains(value) else {
            throw InvalidSetting(setting: setting, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func flag(_ setting: SettingKey, default defaultValue: Bool) throws -> Bool {
        guard let value = bool(forKey: setting.configKey) else {
            try rejectUnconverted(setting, expected: "true or false")
            return defaultValue
        }
        return value
    }

    private func rejectUnconverted(_ setting: SettingKey, expected: String) throws {
        if let raw = string(forKey: setting.configKey) {
            throw InvalidSetting(setting: setting, reason: "\"\(raw)\" is not \(expected)")
        }
    }
}

extension ServerSettings {
    /// One `key = value  (ENV_VARIABLE)` line per setting.
    public func describedLines() -> [String] {
        let shown: [(SettingKey, String)] = [
            (.listenAddress, listenAddress),
            (.listenPort, String(listenPort)),
            (.tlsListenPort, String(tlsListenPort)),
            (.tlsCertificateFile, tlsCertificateFile ?? ""),
            (.tlsKeyFile, tlsKeyFile ?? ""),
            (.dataDirectory, dataDirectory),
            (.passwdFile, passwdFile),
            (.logLevel, logLevel.rawValue),
            (.shards, String(runtime.shards)),
            (.ringEntries, String(runtime.ringEntries)),
            (.receiveBufferSize, String(runtime.receiveBufferSize)),
            (.receiveBufferCount, String(runtime.receiveBufferCount)),
            (.sendZeroCopyThreshold, String(runtime.sendZeroCopyThreshold)),
            (.pinThreads, String(runtime.pinThreads)),
            (.maxOutputBytes, String(runtime.maxOutputBytesPerConnection)),
            (.stalledPeerTimeout, String(runtime.stalledPeerTimeout.components.seconds)),
            (.spliceChunk, String(runtime.spliceChunkSize)),
            (.splicePipes, String(runtime.splicePipesPerShard)),
            (.splicePipeSize, String(runtime.splicePipeSize)),
            (.inlineFileSendLimit, String(runtime.inlineFileSendLimit)),
            (.tcpCongestion, runtime.tcpCongestionControl ?? ""),
            (.listenBacklog, String(runtime.listenBacklog)),
            (.jobsPerTurn, String(runtime.jobsPerTurn)),
            (.fixedFiles, String(runtime.fixedFiles)),
            (.fixedFileSlots, String(runtime.fixedFileSlots)),
            (.allowPlaintext, String(allowPlaintextAuthentication)),
            (.loginFailureDelay, String(loginFailureDelay.components.seconds * 1000 + loginFailureDelay.components.attoseconds / 1_000_000_000_000_000)),
            (.authenticatedTimeout, String(authenticatedTimeout.components.seconds)),
            (.loginTimeout, String(loginTimeout.components.seconds)),
            (.idleKeepalive, String(idleKeepalive.components.seconds)),
            (.headerCacheMegabytes, String(headerCacheBytes >> 20)),
            (.headerCacheIdleSeconds, String(headerCacheIdleTimeout.components.seconds)),
            (.homeShardSessions, String(homeShardSessions)),
            (.searchWorkers, String(searchWorkerCount)),
            (.searchChunkMessages, String(searchChunkMessages)),
            (.searchPerUser, String(searchPerUser)),
        ]
        return shown.map { setting, value in "\(setting.key) = \(value)  (\(setting.environmentVariable))" }
    }
}
