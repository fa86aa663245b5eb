import ArgumentParser
import IMAPServer

/// Prints the settings the server would run with, and where each comes from
/// in name: useful to check a deployment's environment before starting it.
struct ShowSettings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print the effective settings (defaults < config file < MAILSHARD_* < flags)."
    )

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try await options.resolve()
        for line in settings.describedLines() {
            print(line)
        }
    }
}
