import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One open mailbox: its index in memory, its journal, its message bodies.
///
/// Layout of its directory: `journal`, `index` (the snapshot), `packs/<id>.<gen>`
/// (journals, current and past, holding small bodies: see `BodyLocation`),
/// `msgs/<uid>` (a file per large message), `tmp/` (message files being written).
///
/// Concurrency: one writer at a time (`AsyncGate`), any number of readers, which
/// take a consistent copy of the index (`view()`, copy-on-write, O(1)). Every write
/// is acknowledged only once durable; writes running together share fsyncs.
public final class Mailbox: Sendable {
    public let directory: String
    let options: StoreOptions
    let quota: QuotaAccount?
    let gate = AsyncGate()
    let hub = ChangeHub()
    /// Header fields of its messages for header FETCH and SEARCH (memory only).
    let headerCache = HeaderCache()
    let core: Mutex<Core>
    let commit: GroupCommit
    let bodySyncer: BodySyncer
    /// The registry's id of this mailbox (its directory's name), which names its packs.
    let mailboxID: UInt32
    /// The packs read last, kept open between commands.
    let openPacks = OpenPacks()

    /// What the writer owns. Readers touch only `index`, which holds only synced
    /// records in durable mode (see `WriterHead` for the writer's side).
    struct Core {
        var index: MailboxIndex
        /// Written to the journal, not yet synced, not yet in `index` (durable mode).
        /// Body records are not kept here (an append carries its body's location).
        var pending: [PendingRecord] = []
        /// UIDNEXT, HIGHESTMODSEQ and keywords after every record written so far.
        var head: WriterHead
        var journalFD: Int32
        var journalEnd: Int64
        var generation: UInt64
        var snapshotSize: Int
        var messagesDirectoryFD: Int32
        var packsDirectoryFD: Int32
        /// A rename or link into msgs/ since the last sync: the directory needs one too.
        var directoryDirty = false
        /// A pack linked into packs/ (COPY) since the last sync.
        var packsDirty = false
        var tempCounter: UInt64 = 0
        var closed = false
        /// A compaction failed halfway; writes are refused until the mailbox is reopened.
        var needsReopen = false
        /// A task is compacting (or syncing files for it); others need not start.
        var compacting = false
    }

    var io: any FileIO { options.io }
    var journalPath: String { directory + "/journal" }
    var snapshotPath: String { directory + "/index" }
    var messagesPath: String { directory + "/msgs" }
    var packsPath: String { directory + "/packs" }

    func messagePath(_ uid: UID) -> String { messagesPath + "/\(uid)" }
    func packPath(_ key: UInt64) -> String { packsPath + "/" + BodyLocation.packName(key) }

    private init(directory: String, options: StoreOptions, quota: QuotaAccount?, bodySyncer: BodySyncer, core: Core) {
        self.directory = directory
        self.mailboxID = Self.mailboxID(directory: directory)
        self.bodySyncer = bodySyncer
        self.options = options
        self.quota = quota
        self.core = Mutex(core)
        let hub = self.hub
        self.commit = GroupCommit(publish: { hub.publish($0) })
    }

    /// One group-commit round: links and renames into msgs/ first, then the journal
    /// that names them; then the records it covered become visible to readers.
    func syncJournal() async throws {
        let (directoryFD, packsFD, journalFD, directoryDirty, packsDirty, covered) = core.withLock { core in
            defer {
                core.directoryDirty = false
                core.packsDirty = false
            }
            // Every pending record is already in the file, so this sync covers it.
            return (
                core.messagesDirectoryFD, core.packsDirectoryFD, core.journalFD, core.directoryDirty, core.packsDirty,
                core.pending.count)
        }
        if directoryDirty { try await io.sync(directoryFD) }
        if packsDirty { try await io.sync(packsFD) }
        try await io.sync(journalFD)
        core.withLock { $0.publishPending(covered) }
    }

    /// Notes that msgs/ changed (called under the gate, before the journal write).
    func markDirectoryDirty() {
        core.withLock { $0.directoryDirty = true }
    }

    /// Notes that packs/ changed (called under the gate, before the journal write).
    func markPacksDirty() {
        core.withLock { $0.packsDirty = true }
    }

    /// Creates an empty mailbox directory with a fresh journal.
    static func create(directory: String, uidValidity: UInt32, io: some FileIO) async throws {
        try io.makeDirectories(directory + "/msgs")
        try io.makeDirectory(directory + "/tmp")
        try io.makeDirectory(directory + "/packs")
        try await JournalFile.create(
            path: directory + "/journal", header: .init(generation: 0, uidValidity: uidValidity), io: io)
        try await io.syncDirectory(of: directory)
    }

    /// Gives the journal of `generation` its permanent name in packs/ (a hard
    /// link), durably, unless it has it already. Called whenever a journal is
    /// created, before any record can locate a body in it.
    static func mailboxID(directory: String) -> UInt32 {
        UInt32(directory.split(separator: "/").last ?? "") ?? 0
    }

    static func linkJournalAsPack(directory: String, generation: UInt64, io: some FileIO) async throws {
        let key = BodyLocation.packKey(mailboxID: mailboxID(directory: directory), generation: generation)
        let pack = directory + "/packs/" + BodyLocation.packName(key)
        do {
            try io.link(directory + "/journal", pack)
        } catch StoreError.io(_, _, EEXIST) {
            // Linked before a crash: the same inode, unless a crash left it naming
            // an older journal of that generation (recreated on open), so relink.
            try io.unlink(pack)
            try io.link(directory + "/journal", pack)
        }
        try await io.syncDirectory(of: pack)
    }

    /// Opens a mailbox: loads the snapshot, replays the journal's intact records and
    /// cuts off a torn tail, then removes leftovers of interrupted appends.
    /// `bodySyncer` is the data root's; a mailbox opened on its own makes its own.
    static func open(
        directory: String, options: StoreOptions, quota: QuotaAccount?, bodySyncer: BodySyncer? = nil
    ) async throws -> Mailbox {
        let io = options.io
        let journalPath = directory + "/journal", snapshotPath = directory + "/index"
        guard io.fileExists(journalPath) else { throw StoreError.mailboxNotFound(directory) }
        var journal = try JournalFile.read(path: journalPath, io: io)

        var index: MailboxIndex
        var generation: UInt64 = 0
        var snapshotSize = 0
        if io.fileExists(snapshotPath) {
            let bytes = try io.readFile(snapshotPath)
            snapshotSize = bytes.count
            (index, generation) = try SnapshotFile.decode(bytes, path: snapshotPath, spare: 1024 + journal.records.count)
        } else {
            index = MailboxIndex(uidValidity: journal.header.uidValidity)
        }

        if journal.header.generation < generation {
            // Compaction finished the snapshot but not the new journal: all of the old
            // journal is in the snapshot.
            try await JournalFile.create(
                path: journalPath, header: .init(generation: generation, uidValidity: index.uidValidity), io: io)
            journal = try JournalFile.read(path: journalPath, io: io)
        } else if journal.header.generation > generation {
            throw StoreError.corrupt(path: snapshotPath, reason: "snapshot older than journal")
        }

        var validLength = JournalFile.headerSize
        let ownPack = BodyLocation.packKey(mailboxID: mailboxID(directory: directory), generation: generation)
        var recordStart = JournalFile.headerSize
        var lastBody: (uid: UID, location: BodyLocation)?
        for (record, end) in journal.records {
            do {
                switch record {
                case let .append(message):
                    let body = lastBody.flatMap { $0.uid == message.uid ? $0.location : nil } ?? .ownFile
                    try index.apply(record, body: body)
                case let .body(uid, _, _):
                    try index.apply(record)
                    let offset = recordStart + JournalRecord.bodyOffsetInRecord
                    lastBody = (uid, BodyLocation(pack: ownPack, offset: UInt32(offset)))
                case let .bodyAt(uid, location):
                    try index.apply(record)
                    lastBody = (uid, location)
                case .relocate:
                    let offset = recordStart + JournalRecord.bodyOffsetInRecord
                    try index.apply(record, body: BodyLocation(pack: ownPack, offset: UInt32(offset)))
                default:
                    try index.apply(record)
                }
            } catch {
                break // an impossible record ends recovery like a torn one
            }
            validLength = end
            recordStart = end
        }

        let journalFD = try io.open(journalPath, flags: O_RDWR | O_CLOEXEC, mode: 0)
        if validLength < journal.totalLength {
            try io.truncate(journalFD, to: Int64(validLength))
            try await io.sync(journalFD)
        }
        try io.makeDirectory(directory + "/msgs")
        try io.makeDirectory(directory + "/tmp")
        try io.makeDirectory(directory + "/packs")
        for name in try io.listDirectory(directory + "/tmp") { try io.unlink(directory + "/tmp/" + name) }
        // Journals of older stores, and one whose link a crash prevented (or that
        // was replaced from outside, e.g. restored), get their name in packs/ now,
        // before any body in them is read from there.
        if !sameFile(journalPath, directory + "/packs/" + BodyLocation.packName(ownPack)) {
            try await linkJournalAsPack(directory: directory, generation: generation, io: io)
        }
        let messagesFD = try io.open(directory + "/msgs", flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
        let packsFD = try io.open(directory + "/packs", flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)

        return Mailbox(
            directory: directory, options: options, quota: quota,
            bodySyncer: try bodySyncer ?? BodySyncer(directory: directory, options: options),
            core: Core(
                index: index, head: WriterHead(index), journalFD: journalFD, journalEnd: Int64(validLength), generation: generation,
                snapshotSize: snapshotSize, messagesDirectoryFD: messagesFD, packsDirectoryFD: packsFD))
    }

    /// Closes the files and ends every change stream. Further calls fail.
    public func close() async {
        await gate.withGate {
            let fds = core.withLock { core -> [Int32] in
                guard !core.closed else { return [] }
                core.closed = true
                return [core.journalFD, core.messagesDirectoryFD, core.packsDirectoryFD]
            }
            for fd in fds { io.close(fd) }
        }
        hub.finishAll()
    }

    deinit {
        options.headerCacheBudget.release(headerCache)
        core.withLock { core in
            if !core.closed {
                options.io.close(core.journalFD)
                options.io.close(core.messagesDirectoryFD)
                options.io.close(core.packsDirectoryFD)
            }
        }
    }

    // MARK: Reading

    /// A consistent copy of the index as of now: every durable write, and none that
    /// a crash could still lose (a write becomes visible when its sync is done,
    /// just before it is acknowledged and its change event published).
    public func view() -> MailboxView {
        MailboxView(index: core.withLock { $0.index })
    }

    /// UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and the counts (STATUS, SELECT).
    public func status() -> MailboxStatus {
        core.withLock { MailboxStatus($0.index) }
    }

    /// Maps a message file for FETCH. The mapping stays valid even if the message
    /// is expunged meanwhile.
    public func openMessage(uid: UID) throws -> MessageFile {
        let index = core.withLock { $0.index }
        guard let file = messageFile(uid: uid, in: index) else { throw StoreError.messageNotFound(uid) }
        return try file.get()
    }

    /// Maps the body of `uid` as `index` locates it; nil if the index has no such
    /// message or its body is gone (expunged meanwhile).
    func messageFile(uid: UID, in index: MailboxIndex) -> Result<MessageFile, any Error>? {
        guard let row = index.row(of: uid) else { return nil }
        let location = index.bodyLocation(row: row)
        do {
            if location.isOwnFile { return .success(try MessageFile(path: messagePath(uid), io: io)) }
            let path = packPath(location.pack)
            let pack = try openPacks.pack(location.pack, path: { path }, io: io)
            return .success(try MessageFile(
                pack: pack, packPath: path, offset: Int(location.offset), bodySize: Int(index.sizes[row]), io: io))
        } catch StoreError.io(_, _, ENOENT) {
            return nil
        } catch {
            return .failure(error)
        }
    }

    /// Changes as they become durable, for IDLE and other sessions.
    public func changes() -> AsyncStream<MailboxEvent> {
        hub.subscribe(bufferLimit: options.eventBufferLimit)
    }

    // MARK: Writing (used by the Mailbox+… files)

    /// Appends records to the journal and applies them to the index; the caller
    /// holds the gate. Returns the ticket to wait on for durability.
    func writeRecords(_ records: [JournalRecord], event: MailboxChange?) throws -> UInt64 {
        var writer = ByteWriter(capacity: 64 * records.count)
        // Where each `body` record starts within this write.
        var bodyStarts: [(uid: UID, start: Int)] = []
        for record in records {
            switch record {
            case let .body(uid, _, _), let .relocate(uid, _, _): bodyStarts.append((uid, writer.bytes.count))
            default: break
            }
            record.encode(into: &writer)
        }
        try core.withLock { core in
            guard !core.closed else { throw StoreError.operationNotAllowed("mailbox is closed") }
            guard !core.needsReopen else {
                throw StoreError.operationNotAllowed("mailbox must be reopened after a failed compaction")
            }
            guard core.journalEnd + Int64(writer.bytes.count) <= Int64(UInt32.max) else {
                throw StoreError.operationNotAllowed("journal full until compaction")
            }
            do {
                try writer.bytes.withUnsafeBytes { try io.write(core.journalFD, $0, at: core.journalEnd) }
            } catch {
                // Leave no half record behind for the next write to follow.
                try? io.truncate(core.journalFD, to: core.journalEnd)
                throw error
            }
            let ownPack = BodyLocation.packKey(mailboxID: mailboxID, generation: core.generation)
            var located: [UID: BodyLocation] = [:]
            for (uid, start) in bodyStarts {
                let offset = core.journalEnd + Int64(start + JournalRecord.bodyOffsetInRecord)
                located[uid] = BodyLocation(pack: ownPack, offset: UInt32(offset))
            }
            core.journalEnd += Int64(writer.bytes.count)
            for record in records {
                core.head.advance(past: record)
                // Readers see a record once it is durable: at once when relaxed, else
                // when the sync that covers it is done (`syncJournal`).
                switch record {
                case .body:
                    break
                case let .bodyAt(uid, location):
                    located[uid] = location
                case let .append(message):
                    core.pending.append(PendingRecord(record: record, body: located[message.uid] ?? .ownFile))
                case let .relocate(uid, _, _):
                    core.pending.append(PendingRecord(record: record, body: located[uid] ?? .ownFile))
                default:
                    core.pending.append(PendingRecord(record: record, body: .ownFile))
                }
            }
            if options.durability == .relaxed { core.publishPending(core.pending.count) }
        }
        return commit.issue(event: event)
    }

    /// Waits for a ticket to be durable (or, relaxed, publishes right away).
    func acknowledge(_ ticket: UInt64) async throws {
        switch options.durability {
        case .durable: try await commit.waitDurable(ticket) { [self] in try await syncJournal() }
        case .relaxed: commit.publishWithoutSync()
        }
    }

    /// A fresh path under `tmp/` for a message file being written.
    func temporaryPath() -> String {
        let n = core.withLock { core in
            core.tempCounter += 1
            return core.tempCounter
        }
        return directory + "/tmp/\(getpid()).\(n)"
    }
}

/// Whether two paths name the same inode (false if either is missing).
func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
}

/// The numbers STATUS and SELECT report.
public struct MailboxStatus: Sendable, Equatable {
    public var uidValidity: UInt32
    public var uidNext: UID
    public var highestModSeq: ModSeq
    public var messages: Int
    public var unseen: Int
    /// Sum of RFC822.SIZE of all messages (STATUS SIZE).
    public var size: Int64

    init(_ index: MailboxIndex) {
        uidValidity = index.uidValidity
        uidNext = index.uidNext
        highestModSeq = index.highestModSeq
        messages = index.count
        unseen = index.unseenCount
        size = index.totalSize
    }
}
