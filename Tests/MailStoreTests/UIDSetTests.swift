import Testing
@testable import MailStore

@Suite struct UIDSetTests {
    @Test(arguments: [
        ([1...3, 5...5, 4...4], "1:5"),
        ([7...9, 1...2], "1:2,7:9"),
        ([3...3, 3...3], "3"),
        ([1...10, 2...4], "1:10"),
        ([], ""),
        ([1...2, 2...5, 9...9], "1:5,9"),
        ([1...1, 2...2, 4...6, 5...5], "1:2,4:6"),
        ([8...8], "8"),
        // Already ascending with gaps: kept as given; a neighbour still merges.
        ([1...2, 4...5, 4_294_967_290...4_294_967_295], "1:2,4:5,4294967290:4294967295"),
        ([1...2, 3...5, 7...7], "1:5,7"),
    ] as [([ClosedRange<UID>], String)])
    func normalizes(ranges: [ClosedRange<UID>], expected: String) {
        #expect(UIDSet(ranges).description == expected)
        #expect(UIDSet(ranges.lazy.map { $0 }).description == expected, "the generic sequence form agrees")
    }

    @Test func setAlgebra() {
        let a = UIDSet([1...10, 20...30])
        let b = UIDSet([5...25])
        #expect(a.intersection(b).description == "5:10,20:25")
        #expect(a.union(b).description == "1:30")
        #expect(a.subtracting(b).description == "1:4,26:30")
        #expect(a.contains(20) && !a.contains(15) && a.count == 21)
        #expect(Array(UIDSet(uids: [4, 2, 3])) == [2, 3, 4])
    }

    @Test func insertKeepsOrder() {
        var set = UIDSet()
        for uid: UID in [5, 1, 3, 2, 4, 9] { set.insert(uid) }
        #expect(set.description == "1:5,9")
    }
}
