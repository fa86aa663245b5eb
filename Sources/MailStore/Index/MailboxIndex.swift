/// The in-memory index of one mailbox, kept as struct-of-arrays (one column per
/// attribute, row i = message with sequence number i+1) so an open mailbox costs
/// 51 bytes per message: uid 4, flags 1, keywords 8, modseq 8, internal date 8,
/// zone 2, size 4, sent day 4, body pack 8, body offset 4.
///
/// It changes only by applying `JournalRecord`s, the same way live writes and
/// recovery do, so the state after a crash is the state the journal describes.
struct MailboxIndex: Sendable {
    var uidValidity: UInt32
    var uidNext: UID = 1
    var highestModSeq: ModSeq = 1
    var keywords = KeywordTable()

    var uids: [UID] = []
    var flags: [UInt8] = []
    var keywordMasks: [UInt64] = []
    var modSeqs: [ModSeq] = []
    var internalDates: [Int64] = []
    var zones: [Int16] = []
    var sizes: [UInt32] = []
    /// `Int32.min` when the message has no readable Date: header.
    var sentDays: [Int32] = []
    /// Where each body is (`BodyLocation`): 0 = its own file `msgs/<uid>`, else
    /// the pack (a journal) holding it, at `bodyOffsets`.
    var bodyPacks: [UInt64] = []
    var bodyOffsets: [UInt32] = []

    /// Expunged UIDs and the MODSEQs of their expunges (QRESYNC VANISHED), bounded
    /// by the live messages: old entries merge as it grows (`ExpungeHistory`).
    var expungeHistory = ExpungeHistory()

    /// Derived counters, kept in step with the columns.
    private(set) var unseenCount = 0
    private(set) var totalSize: Int64 = 0

    static let noSentDay = Int32.min

    init(uidValidity: UInt32) { self.uidValidity = uidValidity }

    var count: Int { uids.count }

    /// Row of a UID (binary search), nil if absent.
    func row(of uid: UID) -> Int? {
        var low = 0, high = uids.count
        while low < high {
            let mid = (low &+ high) / 2
            if uids[mid] < uid { low = mid + 1 } else { high = mid }
        }
        return low < uids.count && uids[low] == uid ? low : nil
    }

    /// The first row whose UID is ≥ `uid`.
    func firstRow(atOrAfter uid: UID) -> Int {
        var low = 0, high = uids.count
        while low < high {
            let mid = (low &+ high) / 2
            if uids[mid] < uid { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func messageFlags(row: Int) -> MessageFlags {
        MessageFlags(SystemFlags(rawValue: flags[row]), keywords: keywords.keywords(in: keywordMasks[row]))
    }

    mutating func reserveCapacity(_ capacity: Int) {
        uids.reserveCapacity(capacity)
        flags.reserveCapacity(capacity)
        keywordMasks.reserveCapacity(capacity)
        modSeqs.reserveCapacity(capacity)
        internalDates.reserveCapacity(capacity)
        zones.reserveCapacity(capacity)
        sizes.reserveCapacity(capacity)
        sentDays.reserveCapacity(capacity)
        bodyPacks.reserveCapacity(capacity)
        bodyOffsets.reserveCapacity(capacity)
    }

    func bodyLocation(row: Int) -> BodyLocation {
        BodyLocation(pack: bodyPacks[row], offset: bodyOffsets[row])
    }

    /// Recomputes the derived counters (after loading a snapshot).
    mutating func recount() {
        unseenCount = flags.reduce(0) { $0 + (($1 & SystemFlags.seen.rawValue) == 0 ? 1 : 0) }
        totalSize = sizes.reduce(0) { $0 + Int64($1) }
    }
}

extension MailboxIndex {
    /// Applies one record. Records come from this index's own writer (or its journal),
    /// so their invariants are checked with `precondition` on the live path and
    /// reported as corruption by `replay`.
    /// `body` says where an appended message's body is (its journal `body` record,
    /// or a `bodyAt` record, came just before).
    mutating func apply(_ record: JournalRecord, body: BodyLocation = .ownFile) throws(JournalRecord.Invalid) {
        switch record {
        case let .append(message):
            guard message.uid >= uidNext, message.modSeq > highestModSeq else { throw .outOfOrder }
            bodyPacks.append(body.pack)
            bodyOffsets.append(body.offset)
            uids.append(message.uid)
            flags.append(message.flags)
            keywordMasks.append(message.keywordMask)
            modSeqs.append(message.modSeq)
            internalDates.append(message.internalDate)
            zones.append(message.zoneMinutes)
            sizes.append(message.size)
            sentDays.append(message.sentDay)
            uidNext = message.uid + 1
            highestModSeq = message.modSeq
            if message.flags & SystemFlags.seen.rawValue == 0 { unseenCount += 1 }
            totalSize += Int64(message.size)

        case let .defineKeyword(bit, name):
            guard bit == keywords.names.count, !keywords.isFull else { throw .outOfOrder }
            _ = keywords.define(name)

        case let .flags(change):
            guard change.modSeq > highestModSeq else { throw .outOfOrder }
            for uid in change.uids {
                guard let row = row(of: uid) else { continue }
                let wasSeen = flags[row] & SystemFlags.seen.rawValue != 0
                switch change.mode {
                case .add:
                    flags[row] |= change.system
                    keywordMasks[row] |= change.keywordMask
                case .remove:
                    flags[row] &= ~change.system
                    keywordMasks[row] &= ~change.keywordMask
                case .replace:
                    flags[row] = change.system
                    keywordMasks[row] = change.keywordMask
                }
                let isSeen = flags[row] & SystemFlags.seen.rawValue != 0
                if wasSeen != isSeen { unseenCount += isSeen ? -1 : 1 }
                modSeqs[row] = change.modSeq
            }
            highestModSeq = change.modSeq

        case let .expunge(modSeq, expungedUIDs):
            guard modSeq > highestModSeq else { throw .outOfOrder }
            removeRows { expungedUIDs.contains($0) }
            // After the rows go: merging old history needs the live UIDs between runs.
            expungeHistory.record(expungedUIDs, modSeq: modSeq, liveUIDs: uids)
            highestModSeq = modSeq

        case let .raiseUIDNext(uid):
            guard uid >= uidNext else { throw .outOfOrder }
            uidNext = uid

        case let .relocate(uid, _, _):
            guard let row = row(of: uid) else { break } // expunged since: nothing to move
            bodyPacks[row] = body.pack
            bodyOffsets[row] = body.offset

        case let .body(uid, _, _), let .bodyAt(uid, _):
            // Located by whoever applies the `append` that follows.
            guard uid >= uidNext else { throw .outOfOrder }
        }
    }

    /// Removes every row whose UID matches, in one pass over each column.
    private mutating func removeRows(where shouldRemove: (UID) -> Bool) {
        var keep = 0
        for row in 0..<uids.count {
            if shouldRemove(uids[row]) {
                if flags[row] & SystemFlags.seen.rawValue == 0 { unseenCount -= 1 }
                totalSize -= Int64(sizes[row])
                continue
            }
            if keep != row {
                uids[keep] = uids[row]
                flags[keep] = flags[row]
                keywordMasks[keep] = keywordMasks[row]
                modSeqs[keep] = modSeqs[row]
                internalDates[keep] = internalDates[row]
                zones[keep] = zones[row]
                sizes[keep] = sizes[row]
                sentDays[keep] = sentDays[row]
                bodyPacks[keep] = bodyPacks[row]
                bodyOffsets[keep] = bodyOffsets[row]
            }
            keep += 1
        }
        let removed = uids.count - keep
        guard removed > 0 else { return }
        uids.removeLast(removed)
        flags.removeLast(removed)
        keywordMasks.removeLast(removed)
        modSeqs.removeLast(removed)
        internalDates.removeLast(removed)
        zones.removeLast(removed)
        sizes.removeLast(removed)
        sentDays.removeLast(removed)
        bodyPacks.removeLast(removed)
        bodyOffsets.removeLast(removed)
    }
}
