/// A consistent, immutable copy of a mailbox's index at one moment: what a session
/// reads for FETCH, SEARCH and sequence-number mapping. Taking one is O(1)
/// (copy-on-write); the writer pays a copy only if it changes the index while a
/// view is held, so sessions should hold one only for a command.
public struct MailboxView: Sendable {
    let index: MailboxIndex

    public var status: MailboxStatus { MailboxStatus(index) }
    /// The highest MODSEQ of the mailbox: of its messages and its expunges
    /// (SELECT's HIGHESTMODSEQ, RFC 7162 3.1.2.1).
    public var highestModSeq: ModSeq { index.highestModSeq }
    /// Number of messages (the highest sequence number).
    public var count: Int { index.count }
    /// Keywords defined in this mailbox (for FLAGS / PERMANENTFLAGS).
    public var keywords: [String] { index.keywords.names }
    /// Whether a new keyword can still be created (PERMANENTFLAGS `\*`).
    public var canCreateKeywords: Bool { !index.keywords.isFull }

    /// The UID of sequence number `sequence` (1-based).
    public func uid(atSequence sequence: Int) -> UID { index.uids[sequence - 1] }

    /// The sequence number of `uid`, if present.
    public func sequenceNumber(of uid: UID) -> Int? { index.row(of: uid).map { $0 + 1 } }

    public var uids: [UID] { index.uids }

    /// Everything the index knows of one message.
    public struct Message: Sendable, Equatable {
        public var uid: UID
        public var sequenceNumber: Int
        public var flags: MessageFlags
        public var internalDate: InternalDate
        public var size: Int
        public var modSeq: ModSeq
    }

    public func message(atSequence sequence: Int) -> Message {
        let row = sequence - 1
        return Message(
            uid: index.uids[row], sequenceNumber: sequence, flags: index.messageFlags(row: row),
            internalDate: InternalDate(secondsSinceEpoch: index.internalDates[row], zoneMinutes: index.zones[row]),
            size: Int(index.sizes[row]), modSeq: index.modSeqs[row])
    }

    public func message(uid: UID) -> Message? {
        index.row(of: uid).map { message(atSequence: $0 + 1) }
    }

    /// Resolves a sequence set (`*` = the last message) to UIDs; nil if it names a
    /// sequence number beyond the mailbox (a BAD in IMAP).
    public func uids(forSequenceSet set: [SequenceRange]) -> UIDSet? {
        var rows: [ClosedRange<Int>] = []
        for range in set {
            guard let a = resolve(range.from, last: UInt32(count)), let b = resolve(range.to, last: UInt32(count)) else {
                return nil
            }
            let (low, high) = (min(a, b), max(a, b))
            guard low >= 1, Int(high) <= count else { return nil }
            rows.append(Int(low - 1)...Int(high - 1))
        }
        // UIDs ascend with rows, so walking sorted row ranges yields ascending UIDs.
        rows.sort { $0.lowerBound < $1.lowerBound }
        return UIDSet(ascending: rows.lazy.flatMap { $0 }.map { index.uids[$0]...index.uids[$0] })
    }

    /// Resolves a UID set (`*` = the highest UID in use) to the UIDs that exist;
    /// `n:*` with n above every UID still names the last message (RFC 9051 6.4.9).
    public func uids(forUIDSet set: [SequenceRange]) -> UIDSet {
        let last = index.uids.last ?? 0
        var wanted: [ClosedRange<UID>] = []
        for range in set {
            guard let a = resolve(range.from, last: last), let b = resolve(range.to, last: last) else { continue }
            wanted.append(min(a, b)...max(a, b))
        }
        // The merged ranges are sorted and disjoint, so the UIDs found ascend.
        var found: [ClosedRange<UID>] = []
        for range in UIDSet(wanted).ranges {
            var row = index.firstRow(atOrAfter: range.lowerBound)
            while row < index.count, index.uids[row] <= range.upperBound {
                found.append(index.uids[row]...index.uids[row])
                row += 1
            }
        }
        return UIDSet(ascending: found)
    }

    private func resolve(_ bound: SequenceRange.Bound, last: UInt32) -> UInt32? {
        switch bound {
        case let .number(n): n
        case .last: last == 0 ? nil : last
        }
    }

    /// Messages whose MODSEQ is above `modSeq` (CONDSTORE CHANGEDSINCE).
    public func changed(since modSeq: ModSeq) -> UIDSet {
        var result: [ClosedRange<UID>] = []
        for row in 0..<index.count where index.modSeqs[row] > modSeq {
            result.append(index.uids[row]...index.uids[row])
        }
        return UIDSet(ascending: result)
    }

    /// UIDs expunged after `modSeq` (QRESYNC VANISHED (EARLIER)), optionally only
    /// those within `uids`. Never a live UID, never missing one expunged after
    /// `modSeq`; it may also name UIDs expunged earlier or never used, where old
    /// history was merged (RFC 7162 5.3 allows the superset: clients ignore UIDs
    /// they do not have). Recent history is read from its end back to the first
    /// older entry, so a resync costs what vanished since, not the mailbox's past.
    public func vanished(since modSeq: ModSeq, within uids: UIDSet? = nil) -> UIDSet {
        var result = index.expungeHistory.vanished(since: modSeq)
        if let uids { result = result.intersection(uids) }
        return result
    }

    /// The MODSEQ at which `uid` was expunged, if the history knows it: exact for
    /// recent expunges (the newest `ExpungeHistory.recentKept` entries), for older
    /// ones possibly lower, never higher, so a HIGHESTMODSEQ kept below it never
    /// claims an expunge the client has not heard of.
    public func expungeModSeq(of uid: UID) -> ModSeq? {
        index.expungeHistory.expungeModSeq(of: uid)
    }

    /// The expunge history: old expunges merged into runs (each with the latest
    /// MODSEQ it merged), in UID order, then the recent ones exactly, oldest first.
    public var expungeHistory: [(uids: ClosedRange<UID>, modSeq: ModSeq)] {
        index.expungeHistory.coalesced.map { ($0.low...$0.high, $0.latest) }
            + index.expungeHistory.recent.map { ($0.low...$0.high, $0.modSeq) }
    }
}
