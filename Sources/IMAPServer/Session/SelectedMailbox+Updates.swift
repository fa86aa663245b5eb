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
            for sequence in min(a, b)...max(a, b) {
                let uid = updates.knownUIDs[Int(sequence) - 1]
                result.append(uid...uid)
            }
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
            var index = firstIndex(in: known, atOrAfter: low)
            while index < known.count, known[index] <= high {
                result.append(known[index]...known[index])
                index += 1
            }
        }
        return UIDSet(result)
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
