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
        // Most of the checkpoint runs outside the gate: message files are immutable,
        // so syncing them does not race with writers, who keep appending meanwhile.
        if options.durability == .durable {
            let pending = core.withLock { $0.unsyncedFiles }
            if (try? await bodySyncer.makeDurable(paths: pending.map(messagePath))) != nil {
                let synced = Set(pending)
                core.withLock { $0.unsyncedFiles.removeAll { synced.contains($0) } }
            }
        }
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
        if options.durability == .durable {
            // Writers waiting on the old journal must be covered before it goes.
            try await commit.waitDurable(commit.issue(event: nil)) { [self] in try await syncJournal() }
        }
        // Checkpoint: files whose bodies only the journal holds must be durable
        // before that journal goes.
        // (Most were synced before the gate was taken; their directory entries are
        // made durable here, always, since the journal naming them is about to go.)
        if options.durability == .durable {
            let unsynced = core.withLock { $0.unsyncedFiles }
            try await bodySyncer.makeDurable(paths: unsynced.map(messagePath))
            try await io.sync(core.withLock { $0.messagesDirectoryFD })
        }
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
                core.unsyncedFiles.removeAll()
            }
            return core.journalFD
        }
        io.close(oldFD)
        try sweepOrphans()
    }

    /// Removes message files no index entry names: bodies of expunges whose unlink
    /// a crash interrupted, and of appends that crashed before their record.
    private func sweepOrphans() throws {
        let names = try io.listDirectory(messagesPath)
        let orphans = core.withLock { core in
            names.filter { name in UID(name).map { core.index.row(of: $0) == nil } ?? true }
        }
        for name in orphans { try io.unlink(messagesPath + "/" + name) }
    }
}
