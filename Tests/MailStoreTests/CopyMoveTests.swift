import Testing
@testable import MailStore

@Suite struct CopyMoveTests {
    @Test func copySharesTheFileAndKeepsMetadata() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        let inbox = try await user.mailbox(named: "INBOX"), archive = try await user.mailbox(named: "Archive")
        let date = InternalDate(secondsSinceEpoch: 1_600_000_000, zoneMinutes: -300)
        _ = try await inbox.append(makeMessage(subject: "one"), flags: MessageFlags(.seen, keywords: ["Work"]), internalDate: date)
        _ = try await inbox.append(makeMessage(subject: "two"))
        _ = try await archive.append(makeMessage(subject: "already there"))

        let copied = try await inbox.copy(uids: UIDSet([1...2, 7...7]), to: archive)
        #expect(copied.source == [1, 2] && copied.destination == [2, 3])
        #expect(copied.uidValidity == archive.status().uidValidity)
        #expect(try archive.openMessage(uid: 2).bodyPath.hasSuffix(inbox.openMessage(uid: 1).bodyPath.split(separator: "/").last!))
        let copy = try #require(archive.view().message(uid: 2))
        #expect(copy.flags == MessageFlags(.seen, keywords: ["Work"]) && copy.internalDate == date)
        #expect(try archive.openMessage(uid: 2).body == makeMessage(subject: "one"))

        // Expunging the original leaves the copy readable; the body goes with the last link.
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...1]))
        try await inbox.expunge()
        #expect(try archive.openMessage(uid: 2).body == makeMessage(subject: "one"))
    }

    @Test func copyIntoTheSameMailbox() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage())
        let copied = try await inbox.copy(uids: UIDSet([1...1]), to: inbox)
        #expect(copied.destination == [2] && inbox.view().uids == [1, 2])
    }

    @Test func moveRemovesFromTheSourceWithHistory() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        let inbox = try await user.mailbox(named: "INBOX"), trash = try await user.mailbox(named: "Trash")
        for i in 0..<3 { _ = try await inbox.append(makeMessage(subject: "m\(i)")) }
        let modSeq = inbox.status().highestModSeq
        let moved = try await inbox.move(uids: UIDSet([2...3]), to: trash)
        #expect(moved.source == [2, 3] && moved.destination == [1, 2])
        #expect(inbox.view().uids == [1] && trash.view().uids == [1, 2])
        #expect(inbox.view().vanished(since: modSeq) == UIDSet([2...3]))
        #expect(try trash.openMessage(uid: 2).body == makeMessage(subject: "m2"))
    }
}
