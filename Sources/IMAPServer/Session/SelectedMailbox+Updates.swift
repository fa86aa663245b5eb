import IMAPCodec
import MailStore

/// Resolving the client's message sets against what the client knows, and taking
/// in the changes the shard's broadcaster delivered.
extension SelectedMailbox {
    /// Drains the subscription's inbox into the tracker.
    mutating func takeDeliveredChanges() {
        while let delivery = subscription.inbox.takeInline() {
            switch delivery {
            case let .changes(first, rest):
                updates.record(first)
                for change in rest { updates.record(change) }
            case .resync: updates.markNeedsResync()
            case .closed: return
            }
        }
    }

    /// The UIDs a sequence set or UID set names, ascending, among the messages the
    /// client knows. A sequence number beyond them is an error (RFC 9051 6.4);
    /// a UID that does not exist is simply not there. `$` is the saved result.
    func resolve(_ set: SequenceSet, byUID: Bool) throws(MessageCommandError) -> UIDSet {
        switch set {
        case .lastSearchResult:
            return UIDSet(uids: savedSearch.lazy.filter { updates.sequenceNumber(of: $0) != nil })
        case let .ranges(ranges):
            return byUID ? resolveUIDs(ranges) : try resolveSequenceNumbers(ranges)
        }
    }

    private func resolveSequenceNumbers(_ ranges: [IMAPCodec.SequenceRange]) throws(MessageCommandError) -> UIDSet {
        let count = UInt32(updates.count)
        var result: [ClosedRange<UID>] = []
        for range in ranges {
            guard let a = bound(range.first, last: count), let b = bound(range.last, last: count),
                  min(a, b) >= 1, max(a, b) <= count
            else { throw .invalidSequenceSet }
            Self.appendRuns(of: updates.knownUIDs[Int(min(a, b) - 1)..<Int(max(a, b))], to: &result)
        }
        return UIDSet(result)
    }

    private func resolveUIDs(_ ranges: [IMAPCodec.SequenceRange]) -> UIDSet {
        let known = updates.knownUIDs
        guard let highest = known.last else { return UIDSet() }
        var result: [ClosedRange<UID>] = []
        for range in ranges {
            guard let a = bound(range.first, last: highest), let b = bound(range.last, last: highest) else { continue }
            // `n:*` with n above every UID still names the highest (RFC 9051 6.4.9).
            let low = min(a, b), high = max(a, b)
            let start = firstIndex(in: known, atOrAfter: low)
            var end = start
            while end < known.count, known[end] <= high { end += 1 }
            Self.appendRuns(of: known[start..<end], to: &result)
        }
        return UIDSet(result)
    }

    /// Appends ascending `uids` as ranges of consecutive UIDs: `1:*` of a mailbox
    /// without gaps is one range, not one per message for `UIDSet` to sort and merge.
    private static func appendRuns(of uids: ArraySlice<UID>, to result: inout [ClosedRange<UID>]) {
        var index = uids.startIndex
        while index < uids.endIndex {
            let first = uids[index]
            var last = first
            index += 1
            while index < uids.endIndex, last < UID.max, uids[index] == last + 1 {
                last = uids[index]
                index += 1
            }
            result.append(first...last)
        }
    }

    private func bound(_ number: SequenceNumber, last: UInt32) -> UInt32? {
        switch number {
        case let .number(value): value
        case .last: last
        }
    }

    private func firstIndex(in known: [UID], atOrAfter uid: UID) -> Int {
        var low = 0, high = known.count
        while low < high {
            let middle = (low + high) / 2
            if known[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
