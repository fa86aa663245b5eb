extension Mailbox {
    /// EXPUNGE (or UID EXPUNGE when `uids` is given): removes the messages flagged
    /// `\Deleted`. Returns the UIDs removed, once durable; their files are unlinked
    /// afterwards, so a body shared with another mailbox lives on there.
    @discardableResult
    public func expunge(uids: UIDSet? = nil) async throws -> UIDSet {
        try await remove { index in
            var doomed: [ClosedRange<UID>] = []
            for row in 0..<index.count where index.flags[row] & SystemFlags.deleted.rawValue != 0 {
                let uid = index.uids[row]
                if uids?.contains(uid) ?? true { doomed.append(uid...uid) }
            }
            return UIDSet(ascending: doomed)
        }
    }

    /// Removes the given messages whatever their flags (the second half of MOVE).
    @discardableResult
    public func remove(uids: UIDSet) async throws -> UIDSet {
        try await remove { index in
            UIDSet(uids: uids.lazy.filter { index.row(of: $0) != nil })
        }
    }

    private func remove(selecting select: @Sendable (MailboxIndex) -> UIDSet) async throws -> UIDSet {
        let (removed, bytes, ticket) = try await gate.withGate { () async throws -> (UIDSet, Int64, UInt64?) in
            let (doomed, bytes, modSeq) = core.withLock { core in
                let doomed = select(core.index)
                let bytes = doomed.reduce(Int64(0)) { $0 + Int64(core.index.sizes[core.index.row(of: $1)!]) }
                return (doomed, bytes, core.index.highestModSeq + 1)
            }
            guard !doomed.isEmpty else { return (doomed, 0, nil) }
            let ticket = try writeRecords([.expunge(modSeq: modSeq, uids: doomed)], event: .expunged(doomed, modSeq: modSeq))
            return (doomed, bytes, ticket)
        }
        guard let ticket else { return removed }
        try await acknowledge(ticket)
        quota?.release(messages: Int64(removed.count), bytes: bytes)
        // Only now that the expunge is durable may the files go; a crash before this
        // leaves files that compaction sweeps.
        for uid in removed { try? io.unlink(messagePath(uid)) }
        await compactIfNeeded()
        return removed
    }
}
