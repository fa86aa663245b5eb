import Glibc
import Synchronization
import Testing
@testable import MailStore

/// A `FileIO` that fails chosen operations: exercises the I/O seam and the
/// store's behaviour when the disk says no.
final class FaultyFileIO: FileIO {
    let base = PosixFileIO()
    /// Renames onto a path with this suffix fail with EIO while set.
    let failRenameSuffix = Mutex<String?>(nil)
    /// Syncs fail with EIO while set.
    let failSync = Mutex(false)

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try base.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { base.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(fd, bytes, at: offset) }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try base.read(fd, into: buffer, at: offset)
    }
    func sync(_ fd: Int32) async throws {
        if failSync.withLock({ $0 }) { throw StoreError.io(operation: "fdatasync", path: "fd \(fd)", errno: EIO) }
        try await base.sync(fd)
    }
    func syncFilesystem(_ fd: Int32) async throws { try await base.syncFilesystem(fd) }
    func truncate(_ fd: Int32, to length: Int64) throws { try base.truncate(fd, to: length) }
    func size(_ fd: Int32) throws -> Int64 { try base.size(fd) }
    func rename(_ from: String, _ to: String) throws {
        if let suffix = failRenameSuffix.withLock({ $0 }), to.hasSuffix(suffix) {
            throw StoreError.io(operation: "rename", path: to, errno: EIO)
        }
        try base.rename(from, to)
    }
    func link(_ from: String, _ to: String) throws { try base.link(from, to) }
    func unlink(_ path: String) throws { try base.unlink(path) }
    func makeDirectory(_ path: String) throws { try base.makeDirectory(path) }
    func listDirectory(_ path: String) throws -> [String] { try base.listDirectory(path) }
    func removeDirectory(_ path: String) throws { try base.removeDirectory(path) }
    func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    func modificationTime(_ path: String) throws -> Int64 { try base.modificationTime(path) }
    func setModificationTime(_ path: String, seconds: Int64) throws { try base.setModificationTime(path, seconds: seconds) }
}

@Suite struct FaultInjectionTests {
    @Test func compactionFailingAfterTheSnapshotStopsWritesAndReopenRecovers() async throws {
        let directory = TemporaryDirectory()
        let io = FaultyFileIO()
        var store = try openStore(directory, options: StoreOptions(io: io))
        var inbox = try await store.user("u").mailbox(named: "INBOX")
        for _ in 0..<3 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([2...2]))
        let fingerprint = MailboxFingerprint(inbox.view())

        io.failRenameSuffix.withLock { $0 = "/journal" }
        await #expect(throws: StoreError.io(operation: "rename", path: inbox.journalPath, errno: EIO)) {
            try await inbox.compact()
        }
        await #expect(throws: StoreError.operationNotAllowed("mailbox must be reopened after a failed compaction")) {
            try await inbox.append(makeMessage())
        }
        io.failRenameSuffix.withLock { $0 = nil }
        await store.close()

        store = try openStore(directory)
        inbox = try await store.user("u").mailbox(named: "INBOX")
        #expect(MailboxFingerprint(inbox.view()) == fingerprint)
        #expect(try await inbox.append(makeMessage()) == 4)
    }

    @Test func aFailedSyncIsNeverAcknowledged() async throws {
        let directory = TemporaryDirectory()
        let io = FaultyFileIO()
        let store = try openStore(directory, options: StoreOptions(io: io))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage())
        let events = inbox.changes()
        io.failSync.withLock { $0 = true }
        let error = await #expect(throws: StoreError.self) { try await inbox.append(makeMessage()) }
        if case let .io(operation, _, errno)? = error {
            #expect(operation == "fdatasync" && errno == EIO)
        } else {
            Issue.record("expected an fdatasync failure, got \(String(describing: error))")
        }
        await inbox.close()
        var received: [MailboxEvent] = []
        for await event in events { received.append(event) }
        #expect(received.isEmpty, "no event for a write that was not durable")
    }
}
