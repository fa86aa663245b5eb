/// A set of UIDs kept as sorted, disjoint, non-adjacent closed ranges: the shape
/// IMAP sets, journal records and expunge history all have.
public struct UIDSet: Hashable, Sendable, Sequence, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<UID>]

    public init() { ranges = [] }

    /// Builds a set from ranges in any order; overlaps and neighbours merge.
    public init(_ ranges: some Sequence<ClosedRange<UID>>) {
        self.ranges = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) { appendSorted(range) }
    }

    /// Builds a set from ranges in any order, sorting them only when they are not
    /// ascending already: a FETCH's resolved set (one range, or index order) is
    /// merged in one pass, without the generic sort and its array per command.
    public init(_ ranges: [ClosedRange<UID>]) {
        // Ascending with gaps between them already (one range, say): kept as they are,
        // no second array.
        if ranges.indices.dropFirst().allSatisfy({ ranges[$0 - 1].upperBound < ranges[$0].lowerBound
            && ranges[$0].lowerBound - ranges[$0 - 1].upperBound > 1 }) {
            self.ranges = ranges
            return
        }
        let ascending = ranges.indices.dropFirst().allSatisfy { ranges[$0 - 1].lowerBound <= ranges[$0].lowerBound }
        self.ranges = []
        self.ranges.reserveCapacity(ranges.count)
        for range in ascending ? ranges : ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) { appendSorted(range) }
    }

    /// Builds a set from ranges already ordered by lower bound (overlapping or
    /// adjacent ones merge) in one pass, without sorting: what index scans produce.
    init(ascending ranges: some Sequence<ClosedRange<UID>>) {
        self.ranges = []
        for range in ranges {
            assert(self.ranges.last.map { $0.lowerBound <= range.lowerBound } ?? true, "ranges not ascending")
            appendSorted(range)
        }
    }

    public init(uids: some Sequence<UID>) {
        self.ranges = []
        for uid in uids.sorted() { appendSorted(uid...uid) }
    }

    public var isEmpty: Bool { ranges.isEmpty }
    public var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }
    public var first: UID? { ranges.first?.lowerBound }
    public var last: UID? { ranges.last?.upperBound }

    public func contains(_ uid: UID) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < uid { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(uid)
    }

    public mutating func insert(_ uid: UID) { insert(uid...uid) }

    public mutating func insert(_ range: ClosedRange<UID>) {
        if let last = ranges.last, range.lowerBound > last.upperBound {
            appendSorted(range)
        } else {
            self = UIDSet(ranges + [range])
        }
    }

    public func union(_ other: UIDSet) -> UIDSet { UIDSet(ranges + other.ranges) }

    public func intersection(_ other: UIDSet) -> UIDSet {
        var result = UIDSet()
        var i = 0, j = 0
        while i < ranges.count, j < other.ranges.count {
            let a = ranges[i], b = other.ranges[j]
            let low = Swift.max(a.lowerBound, b.lowerBound), high = Swift.min(a.upperBound, b.upperBound)
            if low <= high { result.appendSorted(low...high) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        return result
    }

    public func subtracting(_ other: UIDSet) -> UIDSet {
        UIDSet(uids: filter { !other.contains($0) })
    }

    public func makeIterator() -> some IteratorProtocol<UID> {
        ranges.lazy.flatMap { $0 }.makeIterator()
    }

    /// IMAP spelling, e.g. `1:3,7`.
    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound):\($0.upperBound)" }
            .joined(separator: ",")
    }

    private mutating func appendSorted(_ range: ClosedRange<UID>) {
        if let last = ranges.last, UInt64(range.lowerBound) <= UInt64(last.upperBound) + 1 {
            ranges[ranges.count - 1] = last.lowerBound...Swift.max(last.upperBound, range.upperBound)
        } else {
            ranges.append(range)
        }
    }
}

/// One element of an IMAP sequence set or UID set as the client wrote it, before
/// `*` is resolved against a mailbox (RFC 9051 `seq-number` / `seq-range`).
public struct SequenceRange: Hashable, Sendable {
    public enum Bound: Hashable, Sendable {
        case number(UInt32)
        /// `*`: the largest number in use.
        case last
    }
    public var from: Bound
    public var to: Bound

    public init(_ from: Bound, _ to: Bound) { self.from = from; self.to = to }
    public init(_ single: UInt32) { self.init(.number(single), .number(single)) }
    public init(_ range: ClosedRange<UInt32>) { self.init(.number(range.lowerBound), .number(range.upperBound)) }
}
