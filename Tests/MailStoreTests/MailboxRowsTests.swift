import Testing
@testable import MailStore

/// `MailboxView.withRows` lends the same facts `message(atSequence:)` reports,
/// row for row, after appends, flag changes and an expunge have shaped the index;
/// `row(of:from:)` finds a UID whatever the hint.
@Suite struct MailboxRowsTests {
    @Test func rowsReportWhatMessagesReport() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        for index in 0..<40 {
            let flags = MessageFlags(SystemFlags(rawValue: UInt8(index % 32)), keywords: index % 4 == 0 ? ["k\(index % 3)", "$Work"] : [])
            _ = try await inbox.append(makeMessage(subject: "m\(index)", body: String(repeating: "b", count: index)),
                                       flags: flags, internalDate: InternalDate(secondsSinceEpoch: Int64(index) * 86_399, zoneMinutes: Int16(index * 15 - 300)))
        }
        _ = try await inbox.store(.add(MessageFlags(.flagged, keywords: ["late"])), uids: UIDSet([5...9]))
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([3...4, 20...20]))
        _ = try await inbox.expunge()
        let view = inbox.view()
        view.withRows { rows in
            #expect(rows.count == view.count)
            for row in 0..<rows.count {
                let message = view.message(atSequence: row + 1)
                #expect(rows.uid(row) == message.uid)
                #expect(rows.systemFlags(row) == message.flags.system)
                let names = Set(view.keywords.indices.filter { rows.keywordMask(row) & (1 << UInt64($0)) != 0 }.map { view.keywords[$0] })
                #expect(names == message.flags.keywords)
                #expect(rows.size(row) == message.size)
                #expect(rows.internalDate(row) == message.internalDate)
                #expect(rows.modSeq(row) == message.modSeq)
                for hint in [row, row + 1, 0, rows.count, -1] {
                    #expect(rows.row(of: message.uid, from: hint) == row)
                }
            }
            // Expunged and never-used UIDs have no row.
            for uid: UID in [3, 4, 20, 0, 1000] {
                #expect(rows.row(of: uid, from: 0) == nil)
            }
        }
    }
}
