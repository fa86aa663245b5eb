import ArgumentParser
import Foundation
import IMAPServer

/// The options every command that needs the server's settings shares. Flags
/// override `MAILSHARD_*` variables, which override the config file.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "A JSON config file (keys as in Tuning/README.md).")
    var configFile: String?

    @Option(name: .customLong("listen"), help: "Address to listen on (listen.address).")
    var listenAddress: String?

    @Option(name: .customLong("port"), help: "IMAP port (listen.port).")
    var listenPort: Int?

    @Option(name: .customLong("data"), help: "Data directory (data.dir).")
    var dataDirectory: String?

    func resolve() async throws -> ServerSettings {
        var flags: [SettingKey: String] = [:]
        flags[.listenAddress] = listenAddress
        flags[.listenPort] = listenPort.map(String.init)
        flags[.dataDirectory] = dataDirectory
        return try await ServerSettings.load(from: SettingsSource(
            flags: flags,
            environment: ProcessInfo.processInfo.environment,
            configFile: configFile
        ))
    }
}
