/// What a STORE did.
public struct FlagStoreResult: Sendable, Equatable {
    /// The MODSEQ all changed messages now have; nil if nothing changed.
    public var modSeq: ModSeq?
    /// Messages whose flags changed.
    public var changed: UIDSet
    /// Messages left alone because their MODSEQ was above UNCHANGEDSINCE
    /// (RFC 7162 3.1.3: the `MODIFIED` response code).
    public var modified: UIDSet
}

extension Mailbox {
    /// STORE / UID STORE: changes the flags of the messages in `uids` (absent UIDs
    /// are ignored). Messages whose flags do not change keep their MODSEQ; those
    /// that change all get one new MODSEQ. Returns once durable.
    public func store(_ change: FlagChange, uids: UIDSet, unchangedSince: ModSeq? = nil) async throws -> FlagStoreResult {
        let (result, ticket) = try await gate.withGate { () async throws -> (FlagStoreResult, UInt64?) in
            var records: [JournalRecord] = []
            var table = core.withLock { $0.head.keywords }
            let mode: JournalRecord.FlagRecord.Mode
            let target: MessageFlags
            switch change {
            case let .add(flags): mode = .add; target = flags
            case let .remove(flags): mode = .remove; target = flags
            case let .replace(flags): mode = .replace; target = flags
            }
            let mask: UInt64
            if mode == .remove {
                // Removing a keyword nobody has is a no-op, not a new definition.
                mask = table.mask(of: target.keywords.filter { table.bit(of: $0) != nil }) ?? 0
            } else {
                mask = try Self.define(target.keywords, in: &table, records: &records)
            }
            let system = target.system.rawValue
            // Decided against the writer's state, so a STORE right behind another
            // (whose sync is still running) sees that one's flags.
            let (changed, modified, modSeq) = core.withLock { core -> ([ClosedRange<UID>], UIDSet, ModSeq) in
                var changed: [ClosedRange<UID>] = []
                var modified = UIDSet()
                for row in core.writerRows(within: uids) {
                    if let limit = unchangedSince, row.modSeq > limit {
                        modified.insert(row.uid)
                        continue
                    }
                    let (newFlags, newMask): (UInt8, UInt64) = switch mode {
                    case .add: (row.flags | system, row.keywordMask | mask)
                    case .remove: (row.flags & ~system, row.keywordMask & ~mask)
                    case .replace: (system, mask)
                    }
                    if newFlags != row.flags || newMask != row.keywordMask { changed.append(row.uid...row.uid) }
                }
                return (changed, modified, core.head.highestModSeq + 1)
            }
            let changedSet = UIDSet(ascending: changed)
            guard !changedSet.isEmpty else {
                return (FlagStoreResult(modSeq: nil, changed: changedSet, modified: modified), nil)
            }
            records.append(.flags(.init(modSeq: modSeq, mode: mode, system: system, keywordMask: mask, uids: changedSet)))
            let ticket = try writeRecords(records, event: .flagsChanged(changedSet, modSeq: modSeq))
            return (FlagStoreResult(modSeq: modSeq, changed: changedSet, modified: modified), ticket)
        }
        if let ticket {
            try await acknowledge(ticket)
            await compactIfNeeded()
        }
        return result
    }
}
