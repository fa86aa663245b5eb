/// Which UIDs were expunged, and when (MODSEQ): what QRESYNC's VANISHED (EARLIER)
/// is answered from (RFC 7162 3.2.5, 3.2.6), kept small enough to live with the index.
///
/// An exact log would grow by one entry per scattered expunge for the mailbox's
/// whole life (RFC 7162 5.3 warns of this). So it is two parts:
/// - `recent`: the newest expunges, exactly, MODSEQ never decreasing along it;
/// - `coalesced`: everything older, merged into runs of expunged UIDs with no live
///   message between them. A run remembers the highest MODSEQ of what it merged
///   (`latest`, so VANISHED names a superset of what vanished since a client's
///   MODSEQ, never a subset) and the lowest (`earliest`, so a MODSEQ given out as an
///   expunge's is never above the real one). Runs are separated by live messages,
///   so there are at most live + 1 of them: the history's size follows the live
///   messages, not the mailbox's past.
///
/// Merging happens inside `MailboxIndex.apply` and depends only on the index, so
/// journal replay and a snapshot load rebuild exactly the history the live index had.
struct ExpungeHistory: Sendable, Equatable {
    /// Newest expunges, exact, oldest first: MODSEQs never decrease along it.
    private(set) var recent: [ExpungedRange] = []
    /// Older expunges merged into runs: ascending by UID, disjoint, and no live
    /// message was inside a run when it was merged (none can be later: UIDs are
    /// never reused).
    private(set) var coalesced: [CoalescedRange] = []
    /// The highest `latest` among `coalesced` (0 when empty), so a resync from a
    /// MODSEQ above it never looks at the merged runs.
    private(set) var coalescedLatest: ModSeq = 0

    /// How many of the newest entries stay exact when the rest is merged.
    static let recentKept = 1_024

    init() {}

    /// A history as a snapshot stored it.
    init(recent: [ExpungedRange], coalesced: [CoalescedRange]) {
        self.recent = recent
        self.coalesced = coalesced
        coalescedLatest = coalesced.lazy.map(\.latest).max() ?? 0
    }

    var isEmpty: Bool { recent.isEmpty && coalesced.isEmpty }

    /// Entries held (exact and merged), what the memory and the snapshot pay for.
    var entryCount: Int { recent.count + coalesced.count }

    /// Notes an expunge of `uids` at `modSeq` (higher than any before), then merges
    /// old entries if there are enough of them (`needsCoalescing`). `liveUIDs`: the
    /// mailbox's messages, ascending, without the ones just expunged.
    mutating func record(_ uids: UIDSet, modSeq: ModSeq, liveUIDs: [UID]) {
        for range in uids.ranges {
            recent.append(ExpungedRange(low: range.lowerBound, high: range.upperBound, modSeq: modSeq))
        }
        if needsCoalescing(live: liveUIDs.count) { coalesce(liveUIDs: liveUIDs) }
    }

    /// Merging sorts the runs and the entries it takes, so it waits until it takes
    /// at least `recentKept` entries and half as many as there are runs: O(log n)
    /// amortized per entry, never a pass over the history per expunge. It also runs
    /// when the whole history passes 1.5 × (live + 1 + recentKept) entries (the
    /// runs outlived many live messages), leaving at most live + 1 + recentKept: a
    /// third or more goes, which pays for the pass.
    func needsCoalescing(live: Int) -> Bool {
        let waiting = recent.count - Self.recentKept
        return (waiting >= Self.recentKept && waiting >= coalesced.count / 2) || entryCount > Self.sizeLimit(live: live)
    }

    /// The most entries the history holds with `live` messages.
    static func sizeLimit(live: Int) -> Int { (live + 1 + recentKept) * 3 / 2 }

    /// Merges every entry but the newest `recentKept` into the runs, and the runs
    /// with each other, wherever no live message lies between them.
    mutating func coalesce(liveUIDs: [UID]) {
        let cut = max(0, recent.count - Self.recentKept)
        var pieces = coalesced
        pieces.reserveCapacity(coalesced.count + cut)
        for entry in recent[..<cut] {
            pieces.append(CoalescedRange(low: entry.low, high: entry.high, latest: entry.modSeq, earliest: entry.modSeq))
        }
        // Pieces with equal bounds merge into the same run whatever their order, so
        // the result does not depend on the sort's stability.
        pieces.sort { ($0.low, $0.high) < ($1.low, $1.high) }
        var runs = 0 // pieces[..<runs] are the merged runs so far
        for piece in pieces {
            if runs > 0, piece.low <= pieces[runs - 1].high || !Self.hasLive(liveUIDs, between: pieces[runs - 1].high, and: piece.low) {
                pieces[runs - 1].high = max(pieces[runs - 1].high, piece.high)
                pieces[runs - 1].latest = max(pieces[runs - 1].latest, piece.latest)
                pieces[runs - 1].earliest = min(pieces[runs - 1].earliest, piece.earliest)
            } else {
                pieces[runs] = piece
                runs += 1
            }
        }
        coalesced = Array(pieces[..<runs]) // a fresh array of that size: memory follows the runs
        coalescedLatest = coalesced.lazy.map(\.latest).max() ?? 0
        recent.removeFirst(cut)
    }

    /// Whether a live UID lies strictly between `low` and `high` (`low < high`).
    private static func hasLive(_ liveUIDs: [UID], between low: UID, and high: UID) -> Bool {
        var first = 0, end = liveUIDs.count
        while first < end {
            let middle = (first &+ end) / 2
            if liveUIDs[middle] <= low { first = middle + 1 } else { end = middle }
        }
        return first < liveUIDs.count && liveUIDs[first] < high
    }

    /// UIDs expunged after `modSeq`, and possibly some expunged earlier (merged
    /// runs answer with their latest MODSEQ), or never used (a run spans UIDs that
    /// never held a message); never a live one. Recent expunges are read from the
    /// end back to the first older entry, the merged runs only when one is newer
    /// than `modSeq`.
    func vanished(since modSeq: ModSeq) -> UIDSet {
        var start = recent.endIndex
        while start > recent.startIndex, recent[start - 1].modSeq > modSeq { start -= 1 }
        var ranges = recent[start...].map { $0.low...$0.high }
        if coalescedLatest > modSeq {
            for run in coalesced where run.latest > modSeq { ranges.append(run.low...run.high) }
        }
        return UIDSet(ranges)
    }

    /// The MODSEQ of `uid`'s expunge: exact for recent ones, for older ones the
    /// lowest MODSEQ merged into its run, so never above the real one. Nil if the
    /// history has no trace of `uid`.
    func expungeModSeq(of uid: UID) -> ModSeq? {
        if let entry = recent.last(where: { $0.low <= uid && uid <= $0.high }) { return entry.modSeq }
        var first = 0, end = coalesced.count
        while first < end {
            let middle = (first &+ end) / 2
            if coalesced[middle].high < uid { first = middle + 1 } else { end = middle }
        }
        return first < coalesced.count && coalesced[first].low <= uid ? coalesced[first].earliest : nil
    }
}

/// A run of expunged UIDs sharing one MODSEQ.
struct ExpungedRange: Sendable, Equatable {
    var low: UID
    var high: UID
    var modSeq: ModSeq
}

/// Older expunged UIDs merged into one run: each was expunged at a MODSEQ in
/// `earliest...latest` (or never held a message).
struct CoalescedRange: Sendable, Equatable {
    var low: UID
    var high: UID
    var latest: ModSeq
    var earliest: ModSeq
}
