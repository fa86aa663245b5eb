import Glibc
import Testing
@testable import MailStore

/// A mailbox keeps the packs it read last open between commands (`OpenPacks`): the
/// message files of one pack share one descriptor, which stays open when they are
/// gone; at most `OpenPacks.capacity` packs are kept, the most recently read; and a
/// pack the compaction unlinks is let go, so its space comes back.
@Suite struct OpenPacksTests {
    /// The inode `descriptor` refers to, or nil when it is not open.
    private func inode(of descriptor: Int32) -> UInt64? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return UInt64(status.st_ino)
    }

    private func inode(ofPath path: String) -> UInt64? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt64(status.st_ino)
    }

    @Test func filesOfOnePackShareADescriptorThatOutlivesThem() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let messages = (0..<2).map { makeMessage(body: String(repeating: "\($0)", count: 40_000)) }
        for message in messages { _ = try await inbox.append(message) }
        var descriptor: Int32 = -1
        var packPath = ""
        do {
            let first = try inbox.openMessage(uid: 1)
            let reader = inbox.messageReader(for: inbox.view())
            let second = try #require(reader.message(uid: 2)).get()
            #expect(first.bodyDescriptor >= 0 && first.bodyDescriptor == second.bodyDescriptor)
            #expect(first.body == messages[0] && second.body == messages[1])
            descriptor = first.bodyDescriptor
            packPath = first.bodyPath
        }
        // Both files are gone; the pack stays open for the next command.
        #expect(inbox.openPacks.keptKeys.count == 1)
        #expect(inode(of: descriptor) != nil && inode(of: descriptor) == inode(ofPath: packPath))
        let again = try inbox.openMessage(uid: 2)
        #expect(again.bodyDescriptor == descriptor)
        #expect(again.body == messages[1])
        await store.close()
    }

    @Test func onlyTheLastPacksReadAreKept() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        // A compaction starts a new journal: each message lands in a pack of its own.
        let count = OpenPacks.capacity + 1
        let messages = (0..<count).map { makeMessage(body: String(repeating: "\($0)", count: 30_000)) }
        for message in messages {
            _ = try await inbox.append(message)
            try await inbox.compact()
        }
        var packs: [String] = []
        for uid in 1...count {
            let file = try inbox.openMessage(uid: UID(uid))
            #expect(file.body == messages[uid - 1])
            packs.append(file.bodyPath)
        }
        #expect(Set(packs).count == count, "one pack per message")
        #expect(inbox.openPacks.keptKeys.count == OpenPacks.capacity)
        await store.close()
    }

    @Test func aPackTheCompactionUnlinksIsLetGo() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage(body: String(repeating: "z", count: 50_000)))
        _ = try await inbox.append(makeMessage())
        try await inbox.compact()
        var descriptor: Int32 = -1
        var packInode: UInt64?
        do {
            let file = try inbox.openMessage(uid: 1)
            descriptor = file.bodyDescriptor
            packInode = inode(ofPath: file.bodyPath)
        }
        #expect(packInode != nil && inode(of: descriptor) == packInode, "kept open after the read")
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...2]))
        try await inbox.expunge()
        try await inbox.compact()
        #expect(inbox.openPacks.keptKeys.isEmpty)
        // Closed: the number is free or names another file now.
        #expect(inode(of: descriptor) != packInode)
        await store.close()
    }
}
