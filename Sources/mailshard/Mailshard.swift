import ArgumentParser
import IMAPServer

@main
struct Mailshard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailshard",
        abstract: "An IMAP4rev2 server for large mailbox fleets.",
        subcommands: [Serve.self, UserCommand.self, ImportCommand.self, ExportCommand.self, CheckCommand.self, ShowSettings.self]
    )
}
