import Glibc
import Synchronization
import Testing
@testable import MailStore

/// A `FileIO` whose syncs can be held: while `hold` is on, each sync waits until
/// `release(succeeding:)` lets it finish (or fail with EIO). Lets a test look at the
/// store in the window between a journal write and its sync.
final class HeldSyncFileIO: FileIO {
    let base = PosixFileIO()
    private struct State {
        var hold = false
        var held: [CheckedContinuation<Bool, Never>] = []
    }
    private let state = Mutex(State())

    func holdSyncs() { state.withLock { $0.hold = true } }

    /// Syncs waiting right now.
    var heldCount: Int { state.withLock { $0.held.count } }

    /// Lets every held sync go (and stops holding new ones).
    func release(succeeding: Bool) {
        let held = state.withLock { state in
            state.hold = false
            defer { state.held.removeAll() }
            return state.held
        }
        for continuation in held { continuation.resume(returning: succeeding) }
    }

    /// Waits (bounded in count, never timed) until `count` syncs are held.
    func waitUntilHeld(_ count: Int = 1) async throws {
        for _ in 0..<2_000 where heldCount < count { try await Task.sleep(for: .milliseconds(5)) }
        try #require(heldCount >= count, "no sync was held")
    }

    func sync(_ fd: Int32) async throws {
        let proceed = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let held = state.withLock { state -> Bool in
                guard state.hold else { return false }
                state.held.append(continuation)
                return true
            }
            if !held { continuation.resume(returning: true) }
        }
        guard proceed else { throw StoreError.io(operation: "fdatasync", path: "fd \(fd)", errno: EIO) }
        try await base.sync(fd)
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try base.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { base.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(fd, bytes, at: offset) }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try base.read(fd, into: buffer, at: offset)
    }
    func syncFilesystem(_ fd: Int32) async throws { try await base.syncFilesystem(fd) }
    func truncate(_ fd: Int32, to length: Int64) throws { try base.truncate(fd, to: length) }
    func size(_ fd: Int32) throws -> Int64 { try base.size(fd) }
    func rename(_ from: String, _ to: String) throws { try base.rename(from, to) }
    func link(_ from: String, _ to: String) throws { try base.link(from, to) }
    func unlink(_ path: String) throws { try base.unlink(path) }
    func makeDirectory(_ path: String) throws { try base.makeDirectory(path) }
    func listDirectory(_ path: String) throws -> [String] { try base.listDirectory(path) }
    func removeDirectory(_ path: String) throws { try base.removeDirectory(path) }
    func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    func modificationTime(_ path: String) throws -> Int64 { try base.modificationTime(path) }
    func setModificationTime(_ path: String, seconds: Int64) throws { try base.setModificationTime(path, seconds: seconds) }
}

/// Readers (views, STATUS, SEARCH, `openMessage`) see a write only once it is
/// durable; the writer builds on its own unsynced writes.
@Suite struct VisibilityTests {
    /// What another session can observe of the mailbox.
    struct Observed: Equatable {
        var uids: [UID]
        var status: MailboxStatus
        var searched: [UID]
        var seen: [UID]

        init(_ mailbox: Mailbox) {
            let view = mailbox.view()
            uids = view.uids
            status = mailbox.status()
            searched = mailbox.search(.all)
            seen = mailbox.search(.seen)
        }
    }

    @Test(arguments: [true, false])
    func anAppendIsInvisibleUntilItsSyncIsDone(syncSucceeds: Bool) async throws {
        let directory = TemporaryDirectory()
        let io = HeldSyncFileIO()
        let store = try openStore(directory, options: StoreOptions(io: io))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage())
        let before = Observed(inbox)

        io.holdSyncs()
        let appending = Task { try await inbox.append(makeMessage(subject: "pending")) }
        try await io.waitUntilHeld()
        // The record is in the journal; a crash now would lose it.
        #expect(Observed(inbox) == before)
        #expect(throws: StoreError.messageNotFound(2)) { try inbox.openMessage(uid: 2) }

        io.release(succeeding: syncSucceeds)
        let result = await appending.result
        if syncSucceeds {
            #expect(try result.get() == 2)
            #expect(Observed(inbox).uids == [1, 2])
            #expect(inbox.status().messages == 2)
            #expect(try inbox.openMessage(uid: 2).bodySize > 0)
        } else {
            #expect(throws: StoreError.self) { try result.get() }
            #expect(Observed(inbox) == before, "a write whose sync failed is never seen")
        }
        await store.close()
    }

    @Test func flagChangesAndExpungesAreInvisibleUntilSynced() async throws {
        let directory = TemporaryDirectory()
        let io = HeldSyncFileIO()
        let store = try openStore(directory, options: StoreOptions(io: io))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        for _ in 0..<3 { _ = try await inbox.append(makeMessage()) }
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([3...3]))
        let before = Observed(inbox)

        io.holdSyncs()
        let storing = Task { try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet([1...2])) }
        try await io.waitUntilHeld()
        #expect(Observed(inbox) == before)
        #expect(inbox.view().message(uid: 1)?.flags == MessageFlags())
        io.release(succeeding: true)
        _ = try await storing.value
        #expect(Observed(inbox).seen == [1, 2])

        io.holdSyncs()
        let expunging = Task { try await inbox.expunge() }
        try await io.waitUntilHeld()
        #expect(inbox.view().uids == [1, 2, 3])
        #expect(inbox.status().messages == 3)
        io.release(succeeding: true)
        #expect(try await expunging.value == UIDSet([3...3]))
        #expect(inbox.view().uids == [1, 2])
        await store.close()
    }

    /// A STORE decided while the previous one is still being synced must build on
    /// it: -\Seen behind a pending +\Seen is a change, not a no-op.
    @Test func theWriterSeesItsOwnPendingWrites() async throws {
        let directory = TemporaryDirectory()
        let io = HeldSyncFileIO()
        let store = try openStore(directory, options: StoreOptions(io: io))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage())

        io.holdSyncs()
        let first = Task { try await inbox.store(.add(MessageFlags([.seen, .deleted])), uids: UIDSet([1...1])) }
        try await io.waitUntilHeld()
        let second = Task { try await inbox.store(.remove(MessageFlags(.seen)), uids: UIDSet([1...1])) }
        let appended = Task { try await inbox.append(makeMessage(), flags: MessageFlags(.deleted)) }
        // Both are written behind the held sync; wait until the writer has them.
        for _ in 0..<2_000 where inbox.core.withLock({ $0.pending.count < 3 }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(inbox.core.withLock { $0.pending.count } == 3)
        let removing = Task { try await inbox.remove(uids: UIDSet([2...2])) }
        for _ in 0..<2_000 where inbox.core.withLock({ $0.pending.count < 4 }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(inbox.view().uids == [1])
        io.release(succeeding: true)

        #expect(try await first.value.changed == UIDSet([1...1]))
        #expect(try await second.value.changed == UIDSet([1...1]))
        #expect(try await appended.value == 2)
        #expect(try await removing.value == UIDSet([2...2]), "a pending append can be removed")
        #expect(inbox.view().uids == [1])
        #expect(inbox.view().message(uid: 1)?.flags == MessageFlags(.deleted))
        await store.close()
    }
}
