import Foundation
import Testing
@testable import IMAPServer

/// What `mailshard import`, `export` and `check` do to a data root.
@Suite struct DataRootMaintenanceTests {
    static func settings(_ directory: URL) -> ServerSettings {
        var settings = ServerSettings()
        settings.dataDirectory = directory.path
        return settings
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mailshard-maintenance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func importExportAndCheck() async throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let mbox = root.appendingPathComponent("in.mbox")
        try "From a@b Thu Jan  1 00:00:00 2024\nSubject: one\n\nbody1\n\nFrom a@b Thu Jan  1 00:00:00 2024\nSubject: two\n\nbody2\n"
            .write(to: mbox, atomically: true, encoding: .utf8)
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let settings = Self.settings(data)

        let imported = try await DataRootMaintenance(settings: settings).importMbox(user: "alice", path: mbox.path, mailbox: "Old/Mail")
        #expect(imported.messages == 2)
        let exported = try await DataRootMaintenance(settings: settings)
            .exportMaildir(user: "alice", path: root.appendingPathComponent("out").path)
        #expect(exported.messages == 2)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/.Old.Mail/dovecot-uidlist").path))
        let again = try await DataRootMaintenance(settings: settings)
            .importMaildir(user: "bob", path: root.appendingPathComponent("out").path)
        #expect(again.messages == 2)

        var lines: [String] = []
        let summary = try await DataRootMaintenance(settings: settings).check(messages: true) { lines.append($0) }
        #expect(summary.users == 2)
        #expect(summary.messages == 4)
        #expect(summary.problems.isEmpty)
        #expect(lines == ["alice: 8 mailboxes, 2 messages", "bob: 8 mailboxes, 2 messages"])
    }

    @Test func aMissingDataDirectoryIsAClearError() throws {
        var settings = ServerSettings()
        settings.dataDirectory = "/nonexistent/mailshard-data"
        #expect(throws: ServerStartError.self) { try DataRootMaintenance(settings: settings) }
    }
}
