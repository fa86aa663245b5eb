#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Mailbox {
    /// Folds the journal into a new snapshot once it has grown past the threshold.
    /// Runs after a write was acknowledged, so it never fails that write: if it
    /// fails before the new snapshot is in place nothing changed and the next write
    /// retries; if it fails after, the mailbox stops taking writes (see below).
    func compactIfNeeded() async {
        guard needsCompaction() else { return }
        let claimed = core.withLock { core -> Bool in
            guard !core.compacting else { return false }
            core.compacting = true
            return true
        }
        guard claimed else { return } // another task is on it
        defer { core.withLock { $0.compacting = false } }
        await gate.withGate {
            guard needsCompaction() else { return }
            try? await compactHoldingGate()
        }
    }

    /// Compacts now, whatever the journal's size (tools, tests).
    public func compact() async throws {
        try await gate.withGate { try await compactHoldingGate() }
    }

    private func needsCompaction() -> Bool {
        core.withLock { core in
            core.journalEnd - Int64(JournalFile.headerSize)
                > Int64(max(options.compactionThreshold, core.snapshotSize / 2))
        }
    }

    /// Writes snapshot N+1 (atomically), then replaces the journal by an empty one
    /// of generation N+1. A crash between the two leaves snapshot N+1 with journal
    /// N, which `open` recognises as already folded in. Holds the gate throughout,
    /// so no record can slip between the snapshot and the new journal.
    private func compactHoldingGate() async throws {
        try relocateFromSparsePacks()
        if options.durability == .durable {
            // Writers waiting on the old journal must be covered before it goes.
            try await commit.waitDurable(commit.issue(event: nil)) { [self] in try await syncJournal() }
        }
        // The journal's bodies stay where they are: it lives on as a pack (it has
        // been linked as one since it was created), so nothing is copied out.
        // Relaxed mode syncs nothing, so it syncs the pack now, before the records
        // that locate its bodies move into a snapshot that outlives it.
        if options.durability == .relaxed { try await io.sync(core.withLock { $0.journalFD }) }
        let (bytes, generation, uidValidity) = core.withLock { core in
            // Everything written is synced (above), so the index holds it all.
            precondition(core.pending.isEmpty, "compacting with unsynced records")
            return (SnapshotFile.encode(core.index, generation: core.generation + 1), core.generation + 1, core.index.uidValidity)
        }
        try await io.writeFileAtomically(snapshotPath, bytes)
        // From here the old journal is superseded on disk: a record appended to it
        // would be dropped by the next open. If the new journal cannot be made, the
        // mailbox refuses writes until it is reopened (which recovers correctly).
        let journalFD: Int32
        do {
            try await JournalFile.create(
                path: journalPath, header: .init(generation: generation, uidValidity: uidValidity), io: io)
            journalFD = try io.open(journalPath, flags: O_RDWR | O_CLOEXEC, mode: 0)
            try await Self.linkJournalAsPack(directory: directory, generation: generation, io: io)
        } catch {
            core.withLock { $0.needsReopen = true }
            throw error
        }
        let oldFD = core.withLock { core in
            defer {
                core.journalFD = journalFD
                core.journalEnd = Int64(JournalFile.headerSize)
                core.generation = generation
                core.snapshotSize = bytes.count
            }
            return core.journalFD
        }
        io.close(oldFD)
        try sweepOrphans()
    }

    /// A pack is rewritten away once less than this share of it is live bodies.
    static let sparsePackShare = 4

    /// Copies the live bodies of mostly expunged packs into the journal
    /// (`relocate` records), so that the next sweep can remove those packs: the
    /// space of expunged messages comes back even while a few of their neighbours
    /// stay. Runs under the gate, before the sync that covers the records; the
    /// current journal's own pack is never sparse-checked (it is still growing).
    private func relocateFromSparsePacks() throws {
        let (index, current) = core.withLock { core in
            (core.index, BodyLocation.packKey(mailboxID: mailboxID, generation: core.generation))
        }
        var liveBytes: [UInt64: Int] = [:]
        for row in 0..<index.count where index.bodyPacks[row] != 0 && index.bodyPacks[row] != current {
            liveBytes[index.bodyPacks[row], default: 0] += Int(index.sizes[row])
        }
        var sparse = Set<UInt64>()
        for (pack, live) in liveBytes {
            guard let fd = try? io.open(packPath(pack), flags: O_RDONLY | O_CLOEXEC, mode: 0) else { continue }
            defer { io.close(fd) }
            if let size = try? io.size(fd), live * Self.sparsePackShare < Int(size) { sparse.insert(pack) }
        }
        guard !sparse.isEmpty else { return }
        var records: [JournalRecord] = []
        var batchBytes = 0
        for row in 0..<index.count where sparse.contains(index.bodyPacks[row]) {
            let uid = index.uids[row]
            guard case let .success(file)? = messageFile(uid: uid, in: index) else { continue }
            records.append(.relocate(uid: uid, message: file.body, structure: file.structure))
            batchBytes += file.bodySize
            if batchBytes >= 1 << 20 {
                _ = try writeRecords(records, event: nil)
                records.removeAll()
                batchBytes = 0
            }
        }
        if !records.isEmpty { _ = try writeRecords(records, event: nil) }
    }

    /// Removes message files no index entry names (bodies of expunges whose unlink
    /// a crash interrupted, of appends that crashed before their record, and files
    /// older stores made for bodies that live in a pack), and packs no message
    /// uses any more (every message in them expunged, or moved elsewhere). A
    /// pack another mailbox shares by a link of its own lives on there.
    private func sweepOrphans() throws {
        let names = try io.listDirectory(messagesPath)
        let packNames = try io.listDirectory(packsPath)
        let (orphans, unusedPacks) = core.withLock { core in
            let index = core.index
            let orphans = names.filter { name in
                guard let uid = UID(name), let row = index.row(of: uid) else { return true }
                return !index.bodyLocation(row: row).isOwnFile
            }
            var used = Set(index.bodyPacks.lazy.filter { $0 != 0 }.map(BodyLocation.packName))
            used.insert(BodyLocation.packName(BodyLocation.packKey(mailboxID: mailboxID, generation: core.generation)))
            return (orphans, packNames.filter { !used.contains($0) })
        }
        for name in orphans { try io.unlink(messagesPath + "/" + name) }
        for name in unusedPacks { try io.unlink(packsPath + "/" + name) }
        // An unlinked pack's space comes back once no descriptor holds it.
        if !unusedPacks.isEmpty { openPacks.forgetAll() }
    }
}
