import Configuration
import SystemPackage

/// Where settings come from, lowest priority first: built-in defaults, then the
/// JSON config file, then `MAILSHARD_*` environment variables, then command-line
/// flags. Only variables with the `MAILSHARD_` prefix are read, so an unrelated
/// `SHARDS` in an operator's environment can never change the server.
public struct SettingsSource: Sendable {
    /// Values given on the command line, keyed by setting.
    public var flags: [SettingKey: String]
    /// The process environment (all of it; filtered to the prefix here).
    public var environment: [String: String]
    /// Path of an optional JSON config file.
    public var configFile: String?

    public init(flags: [SettingKey: String] = [:], environment: [String: String] = [:], configFile: String? = nil) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    /// A reader over the layers in priority order.
    func reader() async throws -> ConfigReader {
        var providers: [any ConfigProvider] = []
        // Flags arrive as text, like environment variables, so the same provider
        // parses both into typed values.
        var flagVariables: [String: String] = [:]
        for (setting, value) in flags {
            flagVariables[setting.unprefixedVariable] = value
        }
        providers.append(EnvironmentVariablesProvider(environmentVariables: flagVariables))
        providers.append(EnvironmentVariablesProvider(environmentVariables: prefixedEnvironment()))
        if let configFile {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
        }
        return ConfigReader(providers: providers)
    }

    /// The `MAILSHARD_*` variables with the prefix removed, which the provider
    /// maps back to dotted keys (`MAILSHARD_LISTEN_PORT` → `listen.port`).
    private func prefixedEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(SettingKey.environmentPrefix) {
            result[String(name.dropFirst(SettingKey.environmentPrefix.count))] = value
        }
        return result
    }
}
