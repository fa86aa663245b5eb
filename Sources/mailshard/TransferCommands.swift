import ArgumentParser
import IMAPServer

/// `mailshard import maildir|mbox` and `mailshard export maildir`: move mail in
/// and out of a data root. Run with the server stopped.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import mail into a user's mailboxes (stop the server first).",
        subcommands: [Maildir.self, Mbox.self]
    )

    struct Maildir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a Maildir++ tree (Dovecot's UIDs, flags and keywords are kept).")
        @OptionGroup var settings: SettingsOptions
        @Option(help: "The user to import into (created in the store if new).") var user: String
        @Argument(help: "The Maildir: the directory holding cur/, new/ and .Folder directories.") var path: String

        func run() async throws {
            let maintenance = try DataRootMaintenance(settings: try await settings.resolve())
            let result = try await TransferFailure.describing { try await maintenance.importMaildir(user: user, path: path) }
            TransferReportPrinter.print("imported", result, user: user)
        }
    }

    struct Mbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import an mbox file into one mailbox.")
        @OptionGroup var settings: SettingsOptions
        @Option(help: "The user to import into (created in the store if new).") var user: String
        @Option(help: "The mailbox to import into (created if missing).") var mailbox = "INBOX"
        @Argument(help: "The mbox file.") var path: String

        func run() async throws {
            let maintenance = try DataRootMaintenance(settings: try await settings.resolve())
            let result = try await TransferFailure.describing {
                try await maintenance.importMbox(user: user, path: path, mailbox: mailbox)
            }
            TransferReportPrinter.print("imported", result, user: user)
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a user's mail (stop the server first).",
        subcommands: [Maildir.self]
    )

    struct Maildir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every mailbox to a Maildir++ tree Dovecot reads with UIDs intact.")
        @OptionGroup var settings: SettingsOptions
        @Option(help: "The user to export.") var user: String
        @Argument(help: "The directory to write (created if missing).") var path: String

        func run() async throws {
            let maintenance = try DataRootMaintenance(settings: try await settings.resolve())
            let result = try await TransferFailure.describing { try await maintenance.exportMaildir(user: user, path: path) }
            TransferReportPrinter.print("exported", result, user: user)
        }
    }
}

enum TransferReportPrinter {
    static func print(_ verb: String, _ result: DataRootMaintenance.Transfer, user: String) {
        Swift.print("\(verb) \(result.messages) messages in \(result.mailboxes) mailboxes for \(user)")
        for skipped in result.skipped { Swift.print("skipped \(skipped)") }
    }
}

enum TransferFailure {
    /// Runs a transfer; a failure becomes a one-line `CommandFailure` (exit code 1).
    static func describing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
