import MailStore

/// The UIDs of a `UIDSet` in ascending order, one at a time, resumable: a FETCH
/// written in batches (the output is sent between them) carries on where the last
/// batch stopped.
struct UIDSetWalk {
    private let ranges: [ClosedRange<UID>]
    private var range = 0
    /// The next UID of `ranges[range]`, when `range` is in bounds.
    private var nextUID: UID

    init(_ set: UIDSet) {
        ranges = set.ranges
        nextUID = ranges.first?.lowerBound ?? 0
    }

    mutating func next() -> UID? {
        guard range < ranges.count else { return nil }
        let uid = nextUID
        if uid == ranges[range].upperBound {
            range += 1
            if range < ranges.count { nextUID = ranges[range].lowerBound }
        } else {
            nextUID = uid + 1
        }
        return uid
    }
}
