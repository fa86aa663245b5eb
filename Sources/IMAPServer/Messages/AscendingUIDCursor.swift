import MailStore

/// Finds UIDs in an ascending UID array (a view's rows, a client's sequence
/// numbers) for a command that asks for them in ascending order, as FETCH of a UID
/// set does: the next UID is usually the next element, found with one comparison,
/// where a binary search per message showed in profiles. Any other order still
/// works, by binary search.
struct AscendingUIDCursor {
    private let uids: [UID]
    private var next = 0

    init(_ uids: [UID]) {
        self.uids = uids
    }

    /// The position of `uid` in the array, nil when it is not there.
    mutating func position(of uid: UID) -> Int? {
        uids.withUnsafeBufferPointer { Self.position(of: uid, in: $0, next: &next) }
    }

    /// Calls `body` with a lookup into the array that costs no reference counting
    /// per UID (a loop over thousands of messages); the cursor moves on with it.
    mutating func withLookup<Result>(_ body: (inout Lookup) -> Result) -> Result {
        uids.withUnsafeBufferPointer { buffer in
            var lookup = Lookup(uids: buffer, next: next)
            defer { next = lookup.next }
            return body(&lookup)
        }
    }

    /// The cursor over the array's storage for one `withLookup` call: `uids` is the
    /// array's buffer, valid only inside it (the cursor holds the array).
    struct Lookup: ~Copyable {
        fileprivate let uids: UnsafeBufferPointer<UID>
        fileprivate var next: Int

        mutating func position(of uid: UID) -> Int? {
            AscendingUIDCursor.position(of: uid, in: uids, next: &next)
        }
    }

    private static func position(of uid: UID, in uids: UnsafeBufferPointer<UID>, next: inout Int) -> Int? {
        if next < uids.count, uids[next] == uid {
            next += 1
            return next - 1
        }
        var low = 0, high = uids.count
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < uid { low = middle + 1 } else { high = middle }
        }
        next = low
        guard low < uids.count, uids[low] == uid else { return nil }
        next = low + 1
        return low
    }
}
