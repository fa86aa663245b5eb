import Testing
@_spi(Benchmarks) @testable import MailStore

@Suite struct CapacityTests {
    @Test func openIndexCostsUnder64BytesPerMessage() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        try await store.user("u").createSyntheticMailbox("Big", count: 100_000)
        await store.close()
        store = try openStore(directory)
        let big = try await store.user("u").mailbox(named: "Big")
        #expect(big.status().messages == 100_000)
        #expect(big.indexBytesPerMessage < 64)
        #expect(big.status().unseen == 100_000 - 33_334)
        #expect(big.search(.and([.keyword("Home"), .uid([SequenceRange(1...8)])])) == [2, 6])
        // Writes continue past a synthetic snapshot.
        let result = try await big.store(.add(MessageFlags(.flagged)), uids: UIDSet([99_999...100_000]))
        #expect(result.changed.count == 2)
    }
}
