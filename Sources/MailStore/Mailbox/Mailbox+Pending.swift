/// The writer's view of a mailbox, which runs ahead of what readers see.
///
/// In durable mode a record is in the journal file before it is synced, and
/// nothing may be reported that a crash could still lose (a session must not
/// announce EXISTS for an append whose sync then fails). So `Core.index`, which
/// views, STATUS, SEARCH and `openMessage` read, takes a record only once a group
/// commit has synced it; until then the record waits in `Core.pending`. The writer
/// must still build on its own unsynced records (the next UID, the next MODSEQ, a
/// keyword just defined, a flag a STORE just set), so it reads `Core.head` and
/// `writerRows`, which fold the pending records over the index. Pending records are
/// few (those written since the last sync began), so the fold is cheap.
struct WriterHead: Sendable {
    var uidNext: UID
    var highestModSeq: ModSeq
    var keywords: KeywordTable

    init(_ index: MailboxIndex) {
        uidNext = index.uidNext
        highestModSeq = index.highestModSeq
        keywords = index.keywords
    }

    /// Moves past a record the writer has just written.
    mutating func advance(past record: JournalRecord) {
        switch record {
        case let .append(message):
            uidNext = message.uid + 1
            highestModSeq = message.modSeq
        case let .defineKeyword(_, name):
            _ = keywords.define(name)
        case let .flags(change):
            highestModSeq = change.modSeq
        case let .expunge(modSeq, _):
            highestModSeq = modSeq
        case let .raiseUIDNext(uid):
            uidNext = uid
        case .body, .bodyAt, .relocate:
            break
        }
    }
}

/// A record written but not yet synced, with where its body is (for an append).
struct PendingRecord: Sendable {
    var record: JournalRecord
    var body: BodyLocation
}

/// One message as the writer sees it (pending records included).
struct WriterRow: Sendable {
    var uid: UID
    var flags: UInt8
    var keywordMask: UInt64
    var modSeq: ModSeq
    var internalDate: Int64
    var zoneMinutes: Int16
    var size: UInt32
    var sentDay: Int32
    var body: BodyLocation
}

extension Mailbox.Core {
    /// The messages within `uids` (every message if nil) that satisfy `keep`, as
    /// the writer sees them: the synced index with the pending records applied.
    func writerRows(within uids: UIDSet?, where keep: (WriterRow) -> Bool = { _ in true }) -> [WriterRow] {
        var rows: [WriterRow] = []
        let filterNow = pending.isEmpty
        if let uids {
            for range in uids.ranges {
                var row = index.firstRow(atOrAfter: range.lowerBound)
                while row < index.count, index.uids[row] <= range.upperBound {
                    let candidate = Self.writerRow(index, row)
                    if !filterNow || keep(candidate) { rows.append(candidate) }
                    row += 1
                }
            }
        } else {
            for row in 0..<index.count {
                let candidate = Self.writerRow(index, row)
                if !filterNow || keep(candidate) { rows.append(candidate) }
            }
        }
        guard !filterNow else { return rows }

        // Replay the pending records over the rows, in journal order.
        for entry in pending {
            switch entry.record {
            case let .append(message):
                guard uids?.contains(message.uid) ?? true else { continue }
                rows.append(WriterRow(
                    uid: message.uid, flags: message.flags, keywordMask: message.keywordMask, modSeq: message.modSeq,
                    internalDate: message.internalDate, zoneMinutes: message.zoneMinutes, size: message.size,
                    sentDay: message.sentDay, body: entry.body))
            case let .flags(change):
                for i in rows.indices where change.uids.contains(rows[i].uid) {
                    switch change.mode {
                    case .add:
                        rows[i].flags |= change.system
                        rows[i].keywordMask |= change.keywordMask
                    case .remove:
                        rows[i].flags &= ~change.system
                        rows[i].keywordMask &= ~change.keywordMask
                    case .replace:
                        rows[i].flags = change.system
                        rows[i].keywordMask = change.keywordMask
                    }
                    rows[i].modSeq = change.modSeq
                }
            case let .expunge(_, expunged):
                rows.removeAll { expunged.contains($0.uid) }
            case .defineKeyword, .raiseUIDNext, .body, .bodyAt, .relocate:
                break
            }
        }
        return rows.filter(keep)
    }

    private static func writerRow(_ index: MailboxIndex, _ row: Int) -> WriterRow {
        WriterRow(
            uid: index.uids[row], flags: index.flags[row], keywordMask: index.keywordMasks[row],
            modSeq: index.modSeqs[row], internalDate: index.internalDates[row], zoneMinutes: index.zones[row],
            size: index.sizes[row], sentDay: index.sentDays[row], body: index.bodyLocation(row: row))
    }

    /// Applies the first `count` pending records to the index, once a sync that
    /// began after they were written has finished: readers see them from now on.
    mutating func publishPending(_ count: Int) {
        guard count > 0 else { return }
        for entry in pending.prefix(count) {
            do {
                try index.apply(entry.record, body: entry.body)
            } catch {
                preconditionFailure("writer produced an out-of-order record: \(entry.record)")
            }
        }
        pending.removeFirst(count)
    }
}
