import Foundation
import Testing
@testable import Auth

@Suite struct PasswdFileTests {
    static let sample = """
        # Mailshard users
        alice:{PLAIN}wonderland:1000:1000::/home/alice::userdb_quota_rule=*:storage=1G
        bob:{SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1

        broken line without password
        carol:{NTLM}abc
        alice:{PLAIN}shadowed

        """

    @Test func parsesEntriesAndReportsBadLines() throws {
        let file = PasswdFile(text: Self.sample)
        #expect(file.entries.map(\.user) == ["alice", "bob", "alice"])
        let alice = try #require(file.entry(for: "alice"))
        #expect(alice.password == StoredPassword(scheme: .plain, hash: "wonderland"), "the first line of a name wins")
        #expect(alice.home == "/home/alice")
        #expect(alice.extraFields["userdb_quota_rule"] == "*:storage=1G")
        #expect(file.problems.count == 2)
        #expect(file.problems[0].hasPrefix("line 5:"))
        #expect(file.problems[1].contains("NTLM"))
    }

    @Test func roundTripsExactly() {
        #expect(PasswdFile(text: Self.sample).text == Self.sample)
    }

    @Test func upsertKeepsOtherFieldsAndRemoveDeletes() throws {
        var file = PasswdFile(text: Self.sample)
        file.upsert(PasswdEntry(user: "alice", password: StoredPassword(scheme: .plain, hash: "new")))
        let alice = try #require(file.entry(for: "alice"))
        #expect(alice.password.hash == "new")
        #expect(alice.home == "/home/alice")
        file.upsert(PasswdEntry(user: "dave", password: StoredPassword(scheme: .plain, hash: "d")))
        #expect(file.text.hasSuffix("dave:{PLAIN}d\n"))
        let removed = file.remove(user: "bob")
        let removedAgain = file.remove(user: "bob")
        #expect(removed && !removedAgain)
        #expect(file.entry(for: "bob") == nil)
        #expect(file.text.contains("# Mailshard users\n"), "comments survive edits")
    }

    @Test(arguments: ["", ".", "..", "a:b", "a/b", "a b", "tab\tname", String(repeating: "x", count: 256)])
    func refusesUnsafeUserNames(name: String) {
        #expect(UserName.problem(with: name) != nil)
    }

    @Test(arguments: ["demo", "alice@example.com", "ünï", "x+tag"])
    func acceptsOrdinaryUserNames(name: String) {
        #expect(UserName.problem(with: name) == nil)
    }

    @Test func writeIsAtomicAndPrivate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailshard-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("passwd").path
        try PasswdFile(text: Self.sample).write(path: path)
        #expect(try PasswdFile.read(path: path).text == Self.sample)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["passwd"])
    }

    @Test func directoryRereadsChangedFileAndToleratesMissingOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailshard-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("passwd").path

        let users = try UserDirectory(path: path, recheckInterval: .zero)
        #expect(users.entry(for: "alice") == nil)

        try PasswdFile(text: "alice:{PLAIN}one\n").write(path: path)
        #expect(users.entry(for: "alice")?.password.hash == "one")

        // A rewrite is a new inode (rename), so even a same-size, same-second
        // edit is seen.
        try PasswdFile(text: "alice:{PLAIN}two\n").write(path: path)
        #expect(users.entry(for: "alice")?.password.hash == "two")

        let authenticator = Authenticator(directory: users)
        #expect(await authenticator.authenticate(user: "alice", password: "two")?.user == "alice")
        #expect(await authenticator.authenticate(user: "alice", password: "one") == nil)
        #expect(await authenticator.authenticate(user: "nobody", password: "two") == nil)
    }

    /// Between checks the file is not looked at: an edit waits for the next one.
    @Test func directoryLooksAtTheFileAtMostOncePerInterval() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailshard-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("passwd").path
        try PasswdFile(text: "alice:{PLAIN}one\n").write(path: path)

        let users = try UserDirectory(path: path, recheckInterval: .seconds(3600))
        #expect(users.entry(for: "alice")?.password.hash == "one")
        try PasswdFile(text: "alice:{PLAIN}two\nbob:{PLAIN}three\n").write(path: path)
        #expect(users.entry(for: "alice")?.password.hash == "one", "not re-read before the interval is over")
        #expect(users.entry(for: "bob") == nil)
    }
}
