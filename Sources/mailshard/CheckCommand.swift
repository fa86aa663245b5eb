import ArgumentParser
import IMAPServer

/// `mailshard check`: opens every mailbox of a data root (which verifies its index
/// and journal) and reports what is damaged; exit code 1 if anything is.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify a data root's mailbox indexes (stop the server first)."
    )

    @OptionGroup var settings: SettingsOptions
    @Option(help: "Check only this user (repeatable); default: every user in the data root.")
    var user: [String] = []
    @Flag(help: "Also open every message file.") var messages = false

    func run() async throws {
        let maintenance = try DataRootMaintenance(settings: try await settings.resolve())
        let summary = await maintenance.check(users: user.isEmpty ? nil : user, messages: messages) { print($0) }
        print("checked \(summary.users) users, \(summary.mailboxes) mailboxes, \(summary.messages) messages")
        guard summary.problems.isEmpty else {
            for problem in summary.problems { print("problem: \(problem)") }
            throw CommandFailure("\(summary.problems.count) problems found")
        }
    }
}
