import Glibc
import Testing
@testable import MailStore

/// Small bodies stay in the journal, which lives on as a pack; large ones get a
/// file of their own. COPY shares packs by hard link; compaction drops packs
/// nothing uses.
@Suite struct PackTests {
    let io = PosixFileIO()

    /// The body bytes as a FETCH through `bodyPath`/`bodyOffset` would send them.
    func bytesThroughPath(_ file: MessageFile) throws -> [UInt8] {
        let fd = try io.open(file.bodyPath, flags: O_RDONLY, mode: 0)
        defer { io.close(fd) }
        var bytes = [UInt8](repeating: 0, count: file.bodySize)
        let got = try bytes.withUnsafeMutableBytes { try io.read(fd, into: $0, at: Int64(file.bodyOffset)) }
        #expect(got == file.bodySize)
        return bytes
    }

    @Test func smallBodiesLiveInPacksWithoutFilesOfTheirOwn() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<3 { _ = try await inbox.append(makeMessage(subject: "p\(i)")) }
        #expect(try io.listDirectory(inbox.messagesPath).isEmpty, "no file per message")
        #expect(try io.listDirectory(inbox.packsPath).count == 1)
        let structure = makeMessage(subject: "p0").withUnsafeBytes { MIMEMessageAnalyzer().analyze($0).structure }
        let first = try inbox.openMessage(uid: 1)
        #expect(first.body == makeMessage(subject: "p0") && first.structure == structure)
        #expect(first.bodyPath.hasPrefix(inbox.packsPath) && first.bodyOffset > JournalFile.headerSize)
        #expect(try bytesThroughPath(first) == makeMessage(subject: "p0"))

        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<3 { #expect(try inbox.openMessage(uid: UID(i + 1)).body == makeMessage(subject: "p\(i)")) }

        // Compaction starts a new journal; the old one stays as the bodies' pack.
        try await inbox.compact()
        #expect(try io.readFile(inbox.journalPath).count == JournalFile.headerSize)
        _ = try await inbox.append(makeMessage(subject: "p3"))
        #expect(try io.listDirectory(inbox.packsPath).count == 2)
        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<4 {
            let file = try inbox.openMessage(uid: UID(i + 1))
            #expect(file.body == makeMessage(subject: "p\(i)"))
            #expect(try bytesThroughPath(file) == makeMessage(subject: "p\(i)"))
        }
        #expect(try inbox.openMessage(uid: 1).structure == structure, "the structure comes back too")
    }

    @Test func largeBodiesGetAFileOfTheirOwn() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, options: StoreOptions(journaledBodyLimit: 100))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let big = makeMessage(body: String(repeating: "x", count: 200))
        _ = try await inbox.append(big)
        #expect(try io.readFile(inbox.journalPath).count < 200)
        let file = try inbox.openMessage(uid: 1)
        #expect(file.bodyPath == inbox.messagePath(1) && file.bodyOffset == 0 && file.body == big)
    }

    @Test func packsNothingUsesAreRemovedAtCompaction() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        for _ in 0..<2 { _ = try await inbox.append(makeMessage()) }
        try await inbox.compact()
        let oldPack = try inbox.openMessage(uid: 1).bodyPath
        _ = try await inbox.append(makeMessage())
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...2]))
        try await inbox.expunge()
        #expect(io.fileExists(oldPack), "kept until compaction")
        try await inbox.compact()
        #expect(!io.fileExists(oldPack), "no message lies in it any more")
        #expect(try inbox.openMessage(uid: 3).body == makeMessage())
    }

    /// A pack holding mostly expunged bodies is rewritten away: its live bodies
    /// move into the journal and the pack goes, also across a reopen.
    @Test func aMostlyExpungedPackIsRewrittenAway() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<8 { _ = try await inbox.append(makeMessage(subject: "s\(i)")) }
        try await inbox.compact()
        let oldPack = try inbox.openMessage(uid: 1).bodyPath
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...7]))
        try await inbox.expunge()
        let before = MailboxFingerprint(inbox.view())
        try await inbox.compact()
        #expect(!io.fileExists(oldPack), "its one live body moved out")
        #expect(try inbox.openMessage(uid: 8).body == makeMessage(subject: "s7"))
        #expect(try inbox.openMessage(uid: 8).bodyPath != oldPack)
        #expect(MailboxFingerprint(inbox.view()) == before, "moving a body changes nothing else")

        await store.close()
        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(try inbox.openMessage(uid: 8).body == makeMessage(subject: "s7"))
        #expect(MailboxFingerprint(inbox.view()) == before)
    }

    /// A relocation replayed from the journal (a crash before the snapshot) moves
    /// the body the same way; one for a message expunged since is ignored.
    @Test func relocateRecordsReplay() async throws {
        var index = MailboxIndex(uidValidity: 1)
        let message = JournalRecord.AppendedMessage(
            uid: 5, modSeq: 2, flags: 0, keywordMask: 0, internalDate: 0, zoneMinutes: 0, size: 3, sentDay: 0)
        try index.apply(.append(message), body: BodyLocation(pack: 9, offset: 100))
        try index.apply(.relocate(uid: 5, message: [1, 2, 3], structure: []), body: BodyLocation(pack: 11, offset: 40))
        try index.apply(.relocate(uid: 6, message: [1], structure: []), body: BodyLocation(pack: 11, offset: 80))
        #expect(index.bodyLocation(row: 0) == BodyLocation(pack: 11, offset: 40) && index.count == 1)
        var writer = ByteWriter(capacity: 64)
        JournalRecord.relocate(uid: 5, message: [1, 2, 3], structure: [7]).encode(into: &writer)
        try writer.bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(JournalRecord.decode(&reader) == .relocate(uid: 5, message: [1, 2, 3], structure: [7]))
            #expect(buffer[JournalRecord.bodyOffsetInRecord] == 1)
        }
    }

    @Test func copySharesThePackAndTheLastLinkFreesIt() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        let inbox = try await user.mailbox(named: "INBOX"), archive = try await user.mailbox(named: "Archive")
        _ = try await inbox.append(makeMessage(subject: "shared"))
        let pack = try inbox.openMessage(uid: 1).bodyPath
        let links = fileLinkCount(pack)
        _ = try await inbox.move(uids: UIDSet([1...1]), to: archive)
        #expect(fileLinkCount(pack) == links + 1, "COPY links the pack, never duplicates the body")
        let copy = try archive.openMessage(uid: 1)
        #expect(copy.body == makeMessage(subject: "shared") && copy.bodyPath.hasPrefix(archive.packsPath))

        // The source drops its links; the copy keeps the pack alive.
        try await inbox.compact()
        try await inbox.compact()
        #expect(!io.fileExists(pack))
        #expect(try archive.openMessage(uid: 1).body == makeMessage(subject: "shared"))
        #expect(try bytesThroughPath(archive.openMessage(uid: 1)) == makeMessage(subject: "shared"))

        _ = try await archive.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...1]))
        try await archive.expunge()
        try await archive.compact()
        #expect(!io.fileExists(copy.bodyPath), "the last link went with the last message")
        #expect(copy.body == makeMessage(subject: "shared"), "a mapping outlives the unlink")
    }

    @Test func aCopyOutlivesItsSourceMailbox() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        try await user.create("Lists")
        let lists = try await user.mailbox(named: "Lists"), archive = try await user.mailbox(named: "Archive")
        for i in 0..<3 { _ = try await lists.append(makeMessage(subject: "l\(i)")) }
        _ = try await lists.copy(uids: UIDSet([2...3]), to: archive)
        try await user.delete("Lists")
        for i in 1...2 { #expect(try archive.openMessage(uid: UID(i)).body == makeMessage(subject: "l\(i)")) }
        try await archive.compact()
        #expect(try archive.openMessage(uid: 2).body == makeMessage(subject: "l2"))
    }

    /// A crash between creating a journal and linking it leaves no pack name:
    /// opening makes it, and the bodies read as before.
    @Test func aMissingPackLinkIsMadeOnOpen() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage(subject: "linked"))
        let pack = try inbox.openMessage(uid: 1).bodyPath
        await store.close()
        try io.unlink(pack)

        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(try inbox.openMessage(uid: 1).body == makeMessage(subject: "linked"))
        #expect(fileLinkCount(pack) == 2, "the journal and its pack name")
    }

    /// Stores written before packs existed: a version 1 snapshot, every body in
    /// a file of its own. They open and keep working.
    @Test func aVersionOneSnapshotStillOpens() async throws {
        let directory = TemporaryDirectory()
        let large = StoreOptions(journaledBodyLimit: 0)
        var store = try openStore(directory, options: large)
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<2 { _ = try await inbox.append(makeMessage(subject: "old\(i)")) }
        try await inbox.compact()
        let generation = inbox.core.withLock { $0.generation }
        let index = inbox.core.withLock { $0.index }
        await store.close()
        try await io.writeFileAtomically(inbox.snapshotPath, Self.versionOneSnapshot(index, generation: generation))

        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        for i in 0..<2 { #expect(try inbox.openMessage(uid: UID(i + 1)).body == makeMessage(subject: "old\(i)")) }
        _ = try await inbox.append(makeMessage(subject: "new"))
        try await inbox.compact()
        #expect(try inbox.openMessage(uid: 1).bodyPath == inbox.messagePath(1))
        #expect(try inbox.openMessage(uid: 3).body == makeMessage(subject: "new"))
    }

    /// The layout version 1 had: version 2 without the two body columns.
    static func versionOneSnapshot(_ index: MailboxIndex, generation: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 1024)
        writer.put(SnapshotFile.magic)
        writer.put(UInt32(1))
        writer.put(generation)
        writer.put(index.uidValidity)
        writer.put(index.uidNext)
        writer.put(index.highestModSeq)
        writer.put(UInt64(index.count))
        writer.put(UInt32(index.keywords.names.count))
        writer.put(UInt64(index.expungeHistory.recent.count))
        for name in index.keywords.names { writer.put(name) }
        writer.putColumn(index.uids)
        writer.putColumn(index.flags)
        writer.putColumn(index.keywordMasks)
        writer.putColumn(index.modSeqs)
        writer.putColumn(index.internalDates)
        writer.putColumn(index.zones)
        writer.putColumn(index.sizes)
        writer.putColumn(index.sentDays)
        for run in index.expungeHistory.recent {
            writer.put(run.low)
            writer.put(run.high)
            writer.put(run.modSeq)
        }
        writer.put(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }
}
