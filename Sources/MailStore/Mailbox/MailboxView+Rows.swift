extension MailboxView {
    /// Calls `body` with the view's index columns borrowed (see `MailboxRows`), for
    /// a command that reads the index row by row over many messages (a FETCH of
    /// flags and sizes of a whole mailbox): no `Message` is built per row, and no
    /// column is copied or retained per row.
    public func withRows<Result, Failure: Error>(
        _ body: (borrowing MailboxRows) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let index = self.index
        // Nested because each column lends its storage only inside its own closure;
        // Result and Failure pass through unchanged.
        let outcome: Swift.Result<Result, Failure> = index.uids.withUnsafeBufferPointer { uids in
            index.flags.withUnsafeBufferPointer { flags in
                index.keywordMasks.withUnsafeBufferPointer { keywordMasks in
                    index.modSeqs.withUnsafeBufferPointer { modSeqs in
                        index.internalDates.withUnsafeBufferPointer { internalDates in
                            index.zones.withUnsafeBufferPointer { zones in
                                index.sizes.withUnsafeBufferPointer { sizes in
                                    let rows = MailboxRows(
                                        uids: uids, flags: flags, keywordMasks: keywordMasks, modSeqs: modSeqs,
                                        internalDates: internalDates, zones: zones, sizes: sizes)
                                    do throws(Failure) {
                                        return .success(try body(rows))
                                    } catch {
                                        return .failure(error)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return try outcome.get()
    }
}

/// The columns of one `MailboxView`'s index, lent for the length of one
/// `MailboxView.withRows` call: row `r` is the message with sequence number `r + 1`
/// in the view, as `MailboxView.message(atSequence: r + 1)` reports it.
///
/// Invariant: every buffer holds `count` elements and points into the storage of
/// the view's own column arrays, which the view keeps alive and nobody mutates
/// while it exists (the writer's copy-on-write gives the mailbox a copy first).
/// The buffers are valid only inside the `withRows` closure; the type is
/// non-copyable so it cannot be stored and outlive it by accident. Rows are
/// bounds-checked (`precondition`): a wrong row is a bug that must not read
/// another message's flags.
public struct MailboxRows: ~Copyable {
    private let uids: UnsafeBufferPointer<UID>
    private let flags: UnsafeBufferPointer<UInt8>
    private let keywordMasks: UnsafeBufferPointer<UInt64>
    private let modSeqs: UnsafeBufferPointer<ModSeq>
    private let internalDates: UnsafeBufferPointer<Int64>
    private let zones: UnsafeBufferPointer<Int16>
    private let sizes: UnsafeBufferPointer<UInt32>

    init(
        uids: UnsafeBufferPointer<UID>, flags: UnsafeBufferPointer<UInt8>, keywordMasks: UnsafeBufferPointer<UInt64>,
        modSeqs: UnsafeBufferPointer<ModSeq>, internalDates: UnsafeBufferPointer<Int64>,
        zones: UnsafeBufferPointer<Int16>, sizes: UnsafeBufferPointer<UInt32>
    ) {
        let count = uids.count
        precondition(flags.count == count && keywordMasks.count == count && modSeqs.count == count
            && internalDates.count == count && zones.count == count && sizes.count == count,
            "index columns of different lengths")
        self.uids = uids
        self.flags = flags
        self.keywordMasks = keywordMasks
        self.modSeqs = modSeqs
        self.internalDates = internalDates
        self.zones = zones
        self.sizes = sizes
    }

    /// Number of rows (messages in the view).
    public var count: Int { uids.count }

    @inline(__always)
    private func checked(_ row: Int) -> Int {
        precondition(row >= 0 && row < uids.count, "row outside the view")
        return row
    }

    public func uid(_ row: Int) -> UID { uids[checked(row)] }
    /// The system flags as the index stores them (`SystemFlags.rawValue`).
    public func systemFlags(_ row: Int) -> SystemFlags { SystemFlags(rawValue: flags[checked(row)]) }
    /// The keywords as bits: bit `i` is the view's `keywords[i]`.
    public func keywordMask(_ row: Int) -> UInt64 { keywordMasks[checked(row)] }
    public func modSeq(_ row: Int) -> ModSeq { modSeqs[checked(row)] }
    public func size(_ row: Int) -> Int { Int(sizes[checked(row)]) }
    public func internalDate(_ row: Int) -> InternalDate {
        let row = checked(row)
        return InternalDate(secondsSinceEpoch: internalDates[row], zoneMinutes: zones[row])
    }

    /// The row of `uid` at or after `hint` (rows ascend by UID): `hint` itself
    /// when it holds `uid`, which is what a FETCH of ascending UIDs finds each
    /// time, else by binary search; nil when the view has no such message.
    public func row(of uid: UID, from hint: Int) -> Int? {
        if hint >= 0, hint < uids.count, uids[hint] == uid { return hint }
        var low = 0, high = uids.count
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low < uids.count && uids[low] == uid ? low : nil
    }
}
