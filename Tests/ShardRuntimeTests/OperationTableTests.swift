import Testing
@testable import ShardRuntime

@Suite struct OperationTableTests {
    @Test func anIDFindsItsHandlerUntilRemoved() {
        var table = OperationTable()
        var calls: [Int32] = []
        let id = table.insert { result, _ in calls.append(result); return true }
        #expect(id != 0)
        #expect(table.contains(id))
        #expect(table.count == 1)
        _ = table.handler(for: id)?(7, 0)
        #expect(calls == [7])
        table.remove(id)
        #expect(!table.contains(id))
        #expect(table.handler(for: id) == nil)
        #expect(table.count == 0)
    }

    @Test func aReusedSlotDoesNotAnswerTheOldID() {
        var table = OperationTable()
        var heard: [String] = []
        let first = table.insert { _, _ in heard.append("first"); return true }
        table.remove(first)
        let second = table.insert { _, _ in heard.append("second"); return true }
        // Same slot, new generation: a late completion or cancel of `first` finds nothing.
        #expect(first & 0xFFFF_FFFF == second & 0xFFFF_FFFF)
        #expect(first != second)
        #expect(table.handler(for: first) == nil)
        table.remove(first)
        #expect(table.contains(second))
        _ = table.handler(for: second)?(0, 0)
        #expect(heard == ["second"])
    }

    @Test(arguments: [UInt64(0), 1 << 32, 0xFFFF_FFFF, UInt64.max])
    func idsNeverIssuedFindNothing(_ id: UInt64) {
        var table = OperationTable()
        _ = table.insert { _, _ in true }
        if id != 1 { #expect(table.handler(for: id) == nil) }
    }

    /// A byte send is stored as its connection: found by its id (and by no handler),
    /// kept alive while in flight, let go of at removal, and its slot reused under a
    /// new id like any other.
    @Test func aSendNamesItsConnectionAndHoldsItUntilRemoved() throws {
        let shard = try Shard(index: 0, settings: testSettings(shards: 1), log: { _ in })
        var table = OperationTable()
        weak var watched: Connection?
        let id = {
            let connection = Connection(descriptor: .ordinary(-1), shard: shard)
            watched = connection
            return table.insertSend(of: connection)
        }()
        #expect(watched != nil)  // held by the table alone
        #expect(table.contains(id))
        #expect(table.handler(for: id) == nil)
        #expect(table.sender(for: id)?.takeUnretainedValue() === watched)
        let handlerID = table.insert { _, _ in true }
        #expect(table.sender(for: handlerID) == nil)
        table.remove(id)
        #expect(watched == nil)
        #expect(table.sender(for: id) == nil)
        #expect(!table.contains(id))
        let reused = table.insert { _, _ in true }
        #expect(reused & 0xFFFF_FFFF == id & 0xFFFF_FFFF)
        #expect(table.sender(for: id) == nil && table.handler(for: id) == nil)
        #expect(table.count == 2)
    }

    /// When the ring is gone, the sends it never completed let go of their connections.
    @Test func releasingSendersLetsGoOfTheirConnections() throws {
        let shard = try Shard(index: 0, settings: testSettings(shards: 1), log: { _ in })
        var table = OperationTable()
        weak var watched: Connection?
        let id = {
            let connection = Connection(descriptor: .ordinary(-1), shard: shard)
            watched = connection
            return table.insertSend(of: connection)
        }()
        #expect(watched != nil)
        table.releaseSenders()
        #expect(watched == nil)
        #expect(table.sender(for: id) == nil)
    }

    @Test func manyOperationsInFlightKeepTheirOwnHandlers() {
        var table = OperationTable()
        var results: [Int32] = []
        var ids: [UInt64] = []
        for index in 0..<1000 {
            ids.append(table.insert { result, _ in results.append(result + Int32(index)); return true })
        }
        #expect(Set(ids).count == 1000)
        // Complete every other one, then start as many again: the slots are reused.
        for id in ids.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
            _ = table.handler(for: id)?(0, 0)
            table.remove(id)
        }
        #expect(table.count == 500)
        for _ in 0..<500 { _ = table.insert { _, _ in true } }
        #expect(table.count == 1000)
        #expect(results == Array(stride(from: Int32(0), to: 1000, by: 2)))
        for (offset, id) in ids.enumerated() where offset % 2 == 1 {
            #expect(table.contains(id))
        }
    }
}
