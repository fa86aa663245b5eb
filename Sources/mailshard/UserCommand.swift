import ArgumentParser
import Auth
import Foundation
import IMAPServer

/// `mailshard user add|passwd|del|list`: edits the passwd-file the server reads.
/// The server re-reads the file when it changes, so no restart is needed.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, change, remove and list users in the passwd-file.",
        subcommands: [Add.self, Passwd.self, Delete.self, List.self]
    )

    struct PasswordOptions: ParsableArguments {
        @Flag(help: "Read the password from the first line of standard input instead of prompting.")
        var passwordStdin = false

        @Option(help: "Password scheme: SHA512-CRYPT (default), SHA256-CRYPT, BLF-CRYPT, CRYPT (yescrypt), PLAIN.")
        var scheme: String = PasswordHasher.defaultScheme.rawValue

        func hashedPassword(for user: String) throws -> StoredPassword {
            guard let scheme = PasswordScheme(name: scheme) else {
                throw ValidationError("unknown password scheme \(scheme)")
            }
            let password = try passwordStdin ? readLine(strippingNewline: true) ?? "" : promptTwice(for: user)
            guard !password.isEmpty else { throw ValidationError("the password is empty") }
            return try PasswordHasher.hash(password, scheme: scheme)
        }

        private func promptTwice(for user: String) throws -> String {
            let first = try PasswordPrompt.read("Password for \(user): ")
            let second = try PasswordPrompt.read("Again: ")
            guard first == second else { throw ValidationError("the passwords differ") }
            return first
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (fails if the user exists).")
        @OptionGroup var settings: SettingsOptions
        @OptionGroup var password: PasswordOptions
        @Argument(help: "The user name (the login name clients use).") var user: String

        func run() async throws {
            try UserName.problem(with: user).map { throw ValidationError($0) }
            let path = try await settings.resolve().passwdFile
            var file = try PasswdFileAccess.read(path)
            guard file.entry(for: user) == nil else { throw CommandFailure("user \(user) already exists in \(path)") }
            file.upsert(PasswdEntry(user: user, password: try password.hashedPassword(for: user)))
            try PasswdFileAccess.write(file, to: path)
            print("added \(user) to \(path)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user's password.")
        @OptionGroup var settings: SettingsOptions
        @OptionGroup var password: PasswordOptions
        @Argument var user: String

        func run() async throws {
            let path = try await settings.resolve().passwdFile
            var file = try PasswdFileAccess.read(path)
            guard file.entry(for: user) != nil else { throw CommandFailure("no user \(user) in \(path)") }
            file.upsert(PasswdEntry(user: user, password: try password.hashedPassword(for: user)))
            try PasswdFileAccess.write(file, to: path)
            print("changed the password of \(user)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove a user from the passwd-file (mail is kept).")
        @OptionGroup var settings: SettingsOptions
        @Argument var user: String

        func run() async throws {
            let path = try await settings.resolve().passwdFile
            var file = try PasswdFileAccess.read(path)
            guard file.remove(user: user) else { throw CommandFailure("no user \(user) in \(path)") }
            try PasswdFileAccess.write(file, to: path)
            print("removed \(user); the user's mail directory was left in place")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their password schemes.")
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let path = try await settings.resolve().passwdFile
            let file = try PasswdFileAccess.read(path)
            for entry in file.entries { print("\(entry.user)\t\(entry.password.scheme.rawValue)") }
            for problem in file.problems { FileHandle.standardError.write(Data("\(path): \(problem)\n".utf8)) }
        }
    }
}

/// A command that could not do its work (as opposed to a usage mistake, for
/// which ArgumentParser's ValidationError also prints the usage).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a missing passwd-file as empty and creates its directory on write.
enum PasswdFileAccess {
    static func read(_ path: String) throws -> PasswdFile {
        do {
            return try PasswdFile.read(path: path)
        } catch where error.isMissingFile {
            return PasswdFile()
        }
    }

    static func write(_ file: PasswdFile, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try file.write(path: path)
    }
}
