import Configuration

/// A tunable of Mailshard: its configuration key and the environment variable an
/// operator sets for it. One list, so the loader, `--help` and Tuning/README.md
/// never disagree about what exists.
///
/// Keys are dotted (`listen.port`); the JSON config file nests them
/// (`{"listen": {"port": 1143}}`) and the environment spells them
/// `MAILSHARD_` + the key upper-cased with `.` turned into `_` (`MAILSHARD_LISTEN_PORT`).
public struct SettingKey: Sendable, Hashable, CustomStringConvertible {
    /// The dotted configuration key.
    public let key: String

    public init(_ key: String) {
        self.key = key
    }

    /// The environment variable that sets this key.
    public var environmentVariable: String {
        SettingKey.environmentPrefix + unprefixedVariable
    }

    var unprefixedVariable: String {
        key.uppercased().replacingDotsWithUnderscores()
    }

    public var description: String { key }

    var configKey: ConfigKey { ConfigKey(key) }

    /// Every environment variable Mailshard reads starts with this.
    public static let environmentPrefix = "MAILSHARD_"
}

extension String {
    fileprivate func replacingDotsWithUnderscores() -> String {
        String(map { $0 == "." || $0 == "-" ? "_" : $0 })
    }
}
