import Testing
@testable import MailStore

/// Recovery keeps every intact record and stops cleanly at a torn or corrupt one.
@Suite struct TornJournalTests {
    /// Runs a sequence of operations, recording the journal length and the
    /// mailbox's fingerprint after each.
    func buildJournal(_ directory: TemporaryDirectory) async throws -> (path: String, bytes: [UInt8], steps: [(Int, MailboxFingerprint)]) {
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let io = PosixFileIO()
        func length() throws -> Int { try io.readFile(inbox.journalPath).count }
        var steps = [(try length(), MailboxFingerprint(inbox.view()))]
        for i in 0..<6 {
            _ = try await inbox.append(makeMessage(subject: "t\(i)"), flags: MessageFlags(keywords: i == 2 ? ["New"] : []))
            steps.append((try length(), MailboxFingerprint(inbox.view())))
        }
        _ = try await inbox.store(.add(MessageFlags([.seen, .deleted], keywords: ["Other"])), uids: UIDSet([2...3]))
        steps.append((try length(), MailboxFingerprint(inbox.view())))
        try await inbox.expunge()
        steps.append((try length(), MailboxFingerprint(inbox.view())))
        _ = try await inbox.store(.replace(MessageFlags(.flagged)), uids: UIDSet([1...6]))
        steps.append((try length(), MailboxFingerprint(inbox.view())))
        let path = inbox.directory
        await store.close()
        return (path, try io.readFile(path + "/journal"), steps)
    }

    func reopen(_ path: String) async throws -> Mailbox {
        try await Mailbox.open(directory: path, options: StoreOptions(), quota: nil)
    }

    @Test func everyTruncationRecoversTheIntactPrefix() async throws {
        let directory = TemporaryDirectory()
        let (path, bytes, steps) = try await buildJournal(directory)
        let io = PosixFileIO()
        // Every cut around each record boundary (inside the next frame header, one
        // byte short of the end) and a few inside each payload; every byte would
        // be thousands of reopens once bodies are journaled.
        var lengths = Set<Int>()
        for (boundary, next) in zip(steps.map(\.0), steps.dropFirst().map(\.0) + [bytes.count]) {
            for cut in [boundary, boundary + 1, boundary + 4, boundary + 8, boundary + 9, boundary + 20,
                        (boundary + next) / 2, next - 1] where cut >= JournalFile.headerSize && cut <= bytes.count {
                lengths.insert(cut)
            }
        }
        lengths.insert(bytes.count)
        #expect(lengths.count > 50 && steps.count == 10)
        for length in lengths.sorted() {
            try await io.writeFileAtomically(path + "/journal", Array(bytes.prefix(length)))
            let mailbox = try await reopen(path)
            let expected = steps.last { $0.0 <= length }!.1
            #expect(MailboxFingerprint(mailbox.view()) == expected, "truncated to \(length)")
            await mailbox.close()
        }
    }

    @Test func corruptRecordEndsRecoveryAndWritingResumesAfterIt() async throws {
        let directory = TemporaryDirectory()
        let (path, bytes, steps) = try await buildJournal(directory)
        let io = PosixFileIO()
        // Flip a byte inside the 4th append's record: records 1-3 remain.
        let (start, end) = (steps[3].0, steps[4].0)
        var corrupt = bytes
        corrupt[(start + end) / 2] ^= 0xFF
        try await io.writeFileAtomically(path + "/journal", corrupt)
        var mailbox = try await reopen(path)
        #expect(MailboxFingerprint(mailbox.view()) == steps[3].1)
        #expect(try io.readFile(path + "/journal").count == start, "the bad tail is cut off")

        // The next write continues after the good prefix, and survives a reopen.
        let uid = try await mailbox.append(makeMessage(subject: "after"))
        #expect(uid == 4)
        let fingerprint = MailboxFingerprint(mailbox.view())
        await mailbox.close()
        mailbox = try await reopen(path)
        #expect(MailboxFingerprint(mailbox.view()) == fingerprint)
        #expect(try mailbox.openMessage(uid: 4).body == makeMessage(subject: "after"))
        await mailbox.close()
    }

    @Test func crashBetweenSnapshotAndNewJournalLosesNothing() async throws {
        let directory = TemporaryDirectory()
        let (path, bytes, steps) = try await buildJournal(directory)
        let io = PosixFileIO()
        var mailbox = try await reopen(path)
        try await mailbox.compact()
        await mailbox.close()
        // Put the old journal (generation 0) back beside the new snapshot (generation 1).
        try await io.writeFileAtomically(path + "/journal", bytes)
        mailbox = try await reopen(path)
        #expect(MailboxFingerprint(mailbox.view()) == steps.last!.1)
        await mailbox.close()
    }

    @Test func corruptSnapshotIsReportedNotIgnored() async throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = try await buildJournal(directory)
        let io = PosixFileIO()
        var mailbox = try await reopen(path)
        try await mailbox.compact()
        await mailbox.close()
        var snapshot = try io.readFile(path + "/index")
        snapshot[snapshot.count / 2] ^= 1
        try await io.writeFileAtomically(path + "/index", snapshot)
        await #expect(throws: StoreError.corrupt(path: path + "/index", reason: "snapshot checksum mismatch")) {
            mailbox = try await reopen(path)
        }
    }
}
