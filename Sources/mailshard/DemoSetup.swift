import Auth
import Foundation
import IMAPServer
import Logging

/// The embedded default of the README's run command: a data directory and a
/// demo account with a few mailboxes and messages, created only when missing so a
/// second start changes nothing.
enum DemoSetup {
    static let user = "demo"
    static let password = "demo"

    static func prepare(settings: ServerSettings, logger: Logger) async throws {
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        var file = try PasswdFileAccess.read(settings.passwdFile)
        guard file.entry(for: user) == nil else { return }
        file.upsert(PasswdEntry(user: user, password: try PasswordHasher.hash(password)))
        try PasswdFileAccess.write(file, to: settings.passwdFile)
        try await DataRootMaintenance(settings: settings).seedDemo(user: user)
        logger.info("created demo account \(user) with a few mailboxes and messages in \(settings.dataDirectory)")
    }
}
