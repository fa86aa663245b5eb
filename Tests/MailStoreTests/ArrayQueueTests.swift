import Testing
@testable import MailStore

@Suite struct ArrayQueueTests {
    @Test func takesInArrivalOrderAcrossRefills() {
        var queue = ArrayQueue<Int>()
        #expect(queue.popFirst() == nil)
        for value in 1...3 { queue.append(value) }
        #expect(queue.popFirst() == 1)
        queue.append(4)
        #expect(queue.count == 3)
        #expect(queue.popFirst() == 2)
        #expect(queue.popFirst() == 3)
        #expect(queue.popFirst() == 4)
        #expect(queue.isEmpty)
        #expect(queue.popFirst() == nil)
        // Drained to empty, it starts over and keeps the order.
        queue.append(5)
        queue.append(6)
        #expect(queue.popFirst() == 5)
        #expect(queue.popFirst() == 6)
    }

    @Test func takeAllReturnsWhatIsLeftOldestFirst() {
        var queue = ArrayQueue<String>()
        for value in ["a", "b", "c"] { queue.append(value) }
        _ = queue.popFirst()
        #expect(queue.takeAll() == ["b", "c"])
        #expect(queue.isEmpty)
        #expect(queue.takeAll().isEmpty)
        queue.append("d")
        #expect(queue.popFirst() == "d")
    }

    @Test func replaceFirstLeavesAHoleAndKeepsTheOrder() {
        var queue = ArrayQueue<Int?>()
        for value in [1, 2, 3, 2] { queue.append(value) }
        _ = queue.popFirst()
        // Only still-queued elements are matched, the oldest first.
        #expect(queue.replaceFirst(where: { $0 == 1 }, with: nil) == nil)
        #expect(queue.replaceFirst(where: { $0 == 2 }, with: nil) == .some(2))
        #expect(queue.count == 3)
        #expect(queue.popFirst() == .some(nil))
        #expect(queue.popFirst() == .some(3))
        #expect(queue.popFirst() == .some(2))
        #expect(queue.popFirst() == nil)
    }
}
