/// Tools for benchmarks and capacity tests, outside the public API: they build
/// indexes without message files, which no real mailbox has.
extension UserStore {
    /// Creates mailbox `name` whose snapshot indexes `count` messages (UIDs 1…count,
    /// every third one seen, four keywords in rotation) but holds no message files:
    /// enough to measure opening and searching an index of that size.
    @_spi(Benchmarks)
    public func createSyntheticMailbox(_ name: String, count: Int) async throws {
        try await create(name)
        let info = try requireInfo(name)
        var index = MailboxIndex(uidValidity: info.uidValidity)
        for keyword in ["Work", "Home", "$Forwarded", "Later"] { _ = index.keywords.define(keyword) }
        index.reserveCapacity(count)
        for i in 0..<count {
            try index.apply(.append(.init(
                uid: UID(i + 1), modSeq: ModSeq(i + 2), flags: i % 3 == 0 ? SystemFlags.seen.rawValue : 0,
                keywordMask: 1 << UInt64(i % 4), internalDate: 1_700_000_000 + Int64(i) * 60, zoneMinutes: 0,
                size: UInt32(2_000 + i % 50_000), sentDay: 19_700 + Int32(i / 1_000))))
        }
        let directory = mailboxDirectory(info.id)
        try await io.writeFileAtomically(directory + "/index", SnapshotFile.encode(index, generation: 1))
        try await JournalFile.create(
            path: directory + "/journal", header: .init(generation: 1, uidValidity: info.uidValidity), io: io)
    }

    private func requireInfo(_ name: String) throws -> MailboxInfo {
        guard let info = info(name) else { throw StoreError.mailboxNotFound(name) }
        return info
    }
}

extension Mailbox {
    /// Bytes the open index holds per message (its columns' capacity), for the
    /// memory benchmark and test.
    @_spi(Benchmarks)
    public var indexBytesPerMessage: Double {
        core.withLock { core in
            let index = core.index
            let bytes = index.uids.capacity * 4 + index.flags.capacity + index.keywordMasks.capacity * 8
                + index.modSeqs.capacity * 8 + index.internalDates.capacity * 8 + index.zones.capacity * 2
                + index.sizes.capacity * 4 + index.sentDays.capacity * 4
                + index.bodyPacks.capacity * 8 + index.bodyOffsets.capacity * 4
            return index.count == 0 ? 0 : Double(bytes) / Double(index.count)
        }
    }
}
