extension Mailbox {
    /// EXPUNGE (or UID EXPUNGE when `uids` is given): removes the messages flagged
    /// `\Deleted`. Returns the UIDs removed, once durable; their files are unlinked
    /// afterwards, so a body shared with another mailbox lives on there.
    @discardableResult
    public func expunge(uids: UIDSet? = nil) async throws -> UIDSet {
        try await remove(within: uids) { $0.flags & SystemFlags.deleted.rawValue != 0 }
    }

    /// Removes the given messages whatever their flags (the second half of MOVE).
    @discardableResult
    public func remove(uids: UIDSet) async throws -> UIDSet {
        try await remove(within: uids) { _ in true }
    }

    /// Removes the messages within `uids` (all if nil) that `select` picks, as the
    /// writer sees them (a STORE +FLAGS \Deleted still being synced counts).
    private func remove(within uids: UIDSet?, selecting select: @Sendable (WriterRow) -> Bool) async throws -> UIDSet {
        let (removed, ownFiles, bytes, ticket) = try await gate.withGate { () async throws -> (UIDSet, [UID], Int64, UInt64?) in
            let (doomed, ownFiles, bytes, modSeq) = core.withLock { core in
                let rows = core.writerRows(within: uids, where: select)
                let doomed = UIDSet(ascending: rows.map { $0.uid...$0.uid })
                // A body in a pack has no msgs/<uid> to unlink; the pack goes at compaction.
                let ownFiles = rows.lazy.filter { $0.body.isOwnFile }.map(\.uid)
                let bytes = rows.reduce(Int64(0)) { $0 + Int64($1.size) }
                return (doomed, Array(ownFiles), bytes, core.head.highestModSeq + 1)
            }
            guard !doomed.isEmpty else { return (doomed, [], 0, nil) }
            let ticket = try writeRecords([.expunge(modSeq: modSeq, uids: doomed)], event: .expunged(doomed, modSeq: modSeq))
            return (doomed, ownFiles, bytes, ticket)
        }
        guard let ticket else { return removed }
        try await acknowledge(ticket)
        quota?.release(messages: Int64(removed.count), bytes: bytes)
        // Only now that the expunge is durable may the files go; a crash before this
        // leaves files that compaction sweeps.
        for uid in ownFiles { try? io.unlink(messagePath(uid)) }
        await compactIfNeeded()
        return removed
    }
}
