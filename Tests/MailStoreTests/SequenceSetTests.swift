import Testing
@testable import MailStore

@Suite struct SequenceSetTests {
    /// A mailbox whose UIDs are 2, 4, 6, 8, 10.
    func makeView() async throws -> (MailboxView, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        for _ in 0..<10 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...1, 3...3, 5...5, 7...7, 9...9]))
        try await inbox.expunge()
        return (inbox.view(), directory)
    }

    @Test func sequenceSets() async throws {
        let (view, _directory) = try await makeView()
        _ = _directory
        #expect(view.uids(forSequenceSet: [SequenceRange(1...2)]) == UIDSet([2...2, 4...4]))
        #expect(view.uids(forSequenceSet: [SequenceRange(.last, .number(4))]) == UIDSet([8...8, 10...10]))
        #expect(view.uids(forSequenceSet: [SequenceRange(.number(1), .last)])?.count == 5)
        #expect(view.uids(forSequenceSet: [SequenceRange(6)]) == nil, "past the end is an error")
        #expect(view.sequenceNumber(of: 6) == 3 && view.uid(atSequence: 5) == 10)
    }

    @Test func uidSets() async throws {
        let (view, _directory) = try await makeView()
        _ = _directory
        #expect(view.uids(forUIDSet: [SequenceRange(3...7)]) == UIDSet([4...4, 6...6]))
        #expect(view.uids(forUIDSet: [SequenceRange(.number(50), .last)]) == UIDSet([10...10]))
        #expect(view.uids(forUIDSet: [SequenceRange(1), SequenceRange(11...20)]).isEmpty)
        #expect(view.uids(forUIDSet: [SequenceRange(.last, .last)]) == UIDSet([10...10]))
    }
}
