import Synchronization
import Testing
@testable import MailStore

/// A `FileIO` that records every unlink it is asked for (and does it).
final class UnlinkRecordingFileIO: FileIO {
    let base = PosixFileIO()
    let unlinked = Mutex<[String]>([])

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try base.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { base.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(fd, bytes, at: offset) }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try base.read(fd, into: buffer, at: offset)
    }
    func sync(_ fd: Int32) async throws { try await base.sync(fd) }
    func syncFilesystem(_ fd: Int32) async throws { try await base.syncFilesystem(fd) }
    func truncate(_ fd: Int32, to length: Int64) throws { try base.truncate(fd, to: length) }
    func size(_ fd: Int32) throws -> Int64 { try base.size(fd) }
    func rename(_ from: String, _ to: String) throws { try base.rename(from, to) }
    func link(_ from: String, _ to: String) throws { try base.link(from, to) }
    func unlink(_ path: String) throws {
        unlinked.withLock { $0.append(path) }
        try base.unlink(path)
    }
    func makeDirectory(_ path: String) throws { try base.makeDirectory(path) }
    func listDirectory(_ path: String) throws -> [String] { try base.listDirectory(path) }
    func removeDirectory(_ path: String) throws { try base.removeDirectory(path) }
    func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    func modificationTime(_ path: String) throws -> Int64 { try base.modificationTime(path) }
    func setModificationTime(_ path: String, seconds: Int64) throws { try base.setModificationTime(path, seconds: seconds) }
}

/// EXPUNGE unlinks `msgs/<uid>` for bodies that have a file of their own, and
/// nothing for bodies in a pack (they have no such file).
@Suite struct ExpungeUnlinkTests {
    @Test func expungeUnlinksOnlyOwnFiles() async throws {
        let directory = TemporaryDirectory()
        let io = UnlinkRecordingFileIO()
        let store = try openStore(directory, options: StoreOptions(journaledBodyLimit: 1000, io: io))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let small = try await inbox.append(makeMessage(subject: "small"))
        let large = try await inbox.append(makeMessage(body: String(repeating: "x", count: 2000)))
        let alsoSmall = try await inbox.append(makeMessage(subject: "small too"))
        #expect(io.fileExists(inbox.messagePath(large)))
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([small...alsoSmall]))
        io.unlinked.withLock { $0.removeAll() }

        let removed = try await inbox.expunge()

        #expect(removed == UIDSet([small...alsoSmall]))
        let messageUnlinks = io.unlinked.withLock { $0 }.filter { $0.hasPrefix(inbox.messagesPath + "/") }
        #expect(messageUnlinks == [inbox.messagePath(large)])
        #expect(!io.fileExists(inbox.messagePath(large)))
        await store.close()
    }
}
