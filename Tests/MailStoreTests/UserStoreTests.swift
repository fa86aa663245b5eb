import Testing
@testable import MailStore

@Suite struct UserStoreTests {
    @Test func newUserGetsDefaultMailboxesRolesAndSubscriptions() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let user = try await store.user("alice@example.com")
        #expect(user.mailboxes().map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
        #expect(user.info("Sent")?.role == .sent && user.info("Trash")?.role == .trash && user.info("INBOX")?.role == nil)
        #expect(Set(user.subscriptions()) == Set(user.mailboxes().map(\.name)))
        let validities = user.mailboxes().map(\.uidValidity)
        #expect(Set(validities).count == validities.count, "UIDVALIDITY is unique per user")
        #expect(user.directory.hasPrefix(directory.path + "/data/users/"))
        let parts = user.directory.dropFirst((directory.path + "/data/users/").count).split(separator: "/")
        #expect(parts.count == 3 && parts[0].count == 2 && parts[1].count == 2 && parts[2] == "alice@example.com")
        #expect(try store.userDirectory("alice@example.com") == user.directory)
    }

    @Test(arguments: ["", "..", "a/b", "bad\u{0}name"])
    func invalidUserNamesAreRefused(name: String) async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        await #expect(throws: StoreError.invalidUserName(name)) { try await store.user(name) }
    }

    @Test(arguments: ["", "/a", "a/", "a//b", "a/../b", "tab\there", "star*", "pct%"])
    func invalidMailboxNamesAreRefused(name: String) async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        await #expect(throws: StoreError.invalidMailboxName(name)) { try await user.create(name) }
    }

    @Test func createMakesParentsAndSurvivesReopen() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var user = try await store.user("u")
        try await user.create("Projects/2026/Ünïcode ✓", role: .flagged)
        await #expect(throws: StoreError.mailboxExists("Projects")) { try await user.create("Projects") }
        try await user.subscribe("Projects/2026/Ünïcode ✓")
        try await user.subscribe("Not/There")
        try await user.unsubscribe("Junk")
        let mailboxes = user.mailboxes()
        await store.close()

        store = try openStore(directory)
        user = try await store.user("u")
        #expect(user.mailboxes() == mailboxes)
        #expect(user.info("Projects/2026")?.role == nil)
        #expect(user.info("Projects/2026/Ünïcode ✓")?.role == .flagged)
        #expect(user.subscriptions().contains("Not/There") && !user.subscriptions().contains("Junk"))
        #expect(user.info("inbox")?.name == "INBOX", "INBOX is case-insensitive")
    }

    @Test func deleteRemovesMessagesButNotChildren() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var user = try await store.user("u")
        try await user.create("A/B")
        let a = try await user.mailbox(named: "A")
        _ = try await a.append(makeMessage())
        let id = user.info("A")!.id
        try await user.delete("A")
        #expect(user.info("A") == nil && user.info("A/B") != nil)
        #expect(!PosixFileIO().fileExists(user.mailboxDirectory(id)))
        await #expect(throws: StoreError.operationNotAllowed("INBOX cannot be deleted")) { try await user.delete("INBOX") }
        await #expect(throws: StoreError.mailboxNotFound("Nope")) { try await user.delete("Nope") }

        // Recreating the name gives a new UIDVALIDITY.
        let old = user.mailboxes().map(\.uidValidity).max()!
        try await user.create("A")
        #expect(user.info("A")!.uidValidity > old)
        await store.close()
        store = try openStore(directory)
        user = try await store.user("u")
        #expect(try await user.mailbox(named: "A").status().messages == 0)
    }

    @Test func renameCarriesChildren() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        try await user.create("Work/Clients/Acme")
        let acme = try await user.mailbox(named: "Work/Clients/Acme")
        _ = try await acme.append(makeMessage())
        let validity = acme.status().uidValidity
        try await user.rename("Work", to: "Old/Work")
        #expect(user.info("Work") == nil && user.info("Work/Clients/Acme") == nil)
        #expect(user.info("Old") != nil && user.info("Old/Work/Clients") != nil)
        let renamed = try await user.mailbox(named: "Old/Work/Clients/Acme")
        #expect(renamed.status().messages == 1 && renamed.status().uidValidity == validity)
        await #expect(throws: StoreError.operationNotAllowed("cannot rename Old under itself")) {
            try await user.rename("Old", to: "Old/Inner")
        }
        await #expect(throws: StoreError.mailboxExists("Sent")) { try await user.rename("Old", to: "Sent") }
    }

    @Test func renamingInboxMovesItsMessagesAndLeavesItEmpty() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        try await user.create("INBOX/Child")
        let inbox = try await user.mailbox(named: "INBOX")
        for _ in 0..<3 { _ = try await inbox.append(makeMessage()) }
        let oldValidity = inbox.status().uidValidity
        try await user.rename("INBOX", to: "Old Inbox")
        let old = try await user.mailbox(named: "Old Inbox")
        #expect(old.status().messages == 3)
        let fresh = try await user.mailbox(named: "INBOX")
        #expect(fresh.status().messages == 0 && fresh.status().uidValidity != oldValidity)
        #expect(user.info("INBOX/Child") != nil, "INBOX's children stay")
    }
}

@Suite struct QuotaTests {
    @Test func appendAndCopyAreRefusedPastTheLimit() async throws {
        let directory = TemporaryDirectory()
        let message = makeMessage()
        let options = StoreOptions(quota: QuotaLimits(messages: 3, bytes: Int64(message.count * 10)))
        var store = try openStore(directory, options: options)
        var user = try await store.user("u")
        let inbox = try await user.mailbox(named: "INBOX")
        for _ in 0..<2 { _ = try await inbox.append(message) }
        let archive = try await user.mailbox(named: "Archive")
        _ = try await inbox.copy(uids: UIDSet([1...1]), to: archive)
        await #expect(throws: StoreError.overQuota(resource: .messages, limit: 3, wouldUse: 4)) {
            try await inbox.append(message)
        }
        await #expect(throws: StoreError.overQuota(resource: .messages, limit: 3, wouldUse: 5)) {
            try await inbox.copy(uids: UIDSet([1...2]), to: archive)
        }
        #expect(try await user.quotaUsage() == QuotaUsage(messages: 3, bytes: Int64(message.count * 3)))
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...1]))
        try await inbox.expunge()
        #expect(try await inbox.append(message) == 3)

        // Usage is recomputed from the mailboxes when the user is opened again.
        await store.close()
        store = try openStore(directory, options: options)
        user = try await store.user("u")
        #expect(try await user.quotaUsage() == QuotaUsage(messages: 3, bytes: Int64(message.count * 3)))
        let big = StoreOptions(quota: QuotaLimits(bytes: 10))
        let otherDirectory = TemporaryDirectory()
        let small = try openStore(otherDirectory, options: big)
        await #expect(throws: StoreError.overQuota(resource: .bytes, limit: 10, wouldUse: Int64(message.count))) {
            try await small.user("v").mailbox(named: "INBOX").append(message)
        }
    }
}

@Suite struct ChangeEventTests {
    @Test func subscribersSeeDurableChangesInOrder() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        let events = inbox.changes()
        _ = try await inbox.append(makeMessage())
        _ = try await inbox.append(makeMessage())
        let flagged = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...1]))
        try await inbox.expunge()
        let status = inbox.status()
        await inbox.close()
        var received: [MailboxEvent] = []
        for await event in events { received.append(event) }
        #expect(received.map(\.position) == [1, 2, 3, 4])
        #expect(received.map(\.change) == [
            .appended(UIDSet([1...1]), highestModSeq: status.highestModSeq - 3),
            .appended(UIDSet([2...2]), highestModSeq: status.highestModSeq - 2),
            .flagsChanged(UIDSet([1...1]), modSeq: flagged.modSeq!),
            .expunged(UIDSet([1...1]), modSeq: status.highestModSeq),
        ])
    }
}

@Suite struct MailboxRegistryTests {
    @Test func roundTripsNamesWithSpacesAndRoles() throws {
        var registry = MailboxRegistry(now: 1_000)
        registry.mailboxes = [
            MailboxInfo(name: "INBOX", id: 1, uidValidity: 1_000, role: nil),
            MailboxInfo(name: "Old  Stuff/ spaced ", id: 2, uidValidity: 1_001, role: .archive),
        ]
        registry.subscriptions = ["Old  Stuff/ spaced ", "Gone"]
        #expect(try MailboxRegistry.decode(registry.encode(), path: "r") == registry)
    }

    @Test(arguments: ["M 1 x - INBOX", "M 1 2", "next-id many", "Q what"])
    func malformedLinesAreCorruption(line: String) {
        let bytes = Array("mailshard-mailboxes 1\n\(line)\n".utf8)
        #expect(throws: StoreError.corrupt(path: "r", reason: "bad line \(line.debugDescription)")) {
            try MailboxRegistry.decode(bytes, path: "r")
        }
    }
}
