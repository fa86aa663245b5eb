import IMAPCodec
import Testing
@testable import IMAPServer

/// The shard's shared EXISTS/RECENT encodings: exactly what a session's encoder
/// writes, one array per distinct text, nothing for other updates.
struct SizeUpdateLinesTests {
    @Test(arguments: [
        ([UntaggedResponse.exists(1)], "* 1 EXISTS\r\n"),
        ([.exists(4_294_967_295)], "* 4294967295 EXISTS\r\n"),
        ([.exists(12), .recent(0)], "* 12 EXISTS\r\n* 0 RECENT\r\n"),
        ([.exists(12), .recent(1)], "* 12 EXISTS\r\n* 1 RECENT\r\n"),
    ])
    func encodesLikeASession(responses: [UntaggedResponse], wire: String) throws {
        let lines = SizeUpdateLines()
        let shared = try #require(lines.encoded(responses))
        var own = ResponseBuffer()
        for response in responses { ResponseEncoder().encode(.untagged(response), into: &own) }
        #expect(shared == own.bytes)
        #expect(String(decoding: shared, as: UTF8.self) == wire)
    }

    @Test(arguments: [
        [UntaggedResponse](),
        [.recent(1)],
        [.expunge(3)],
        [.exists(3), .expunge(2)],
        [.recent(1), .exists(3)],
        [.exists(3), .recent(1), .exists(4)],
    ])
    func sharesNothingButSizeUpdates(responses: [UntaggedResponse]) {
        #expect(SizeUpdateLines().encoded(responses) == nil)
    }

    @Test func identicalTextsShareOneArrayAndDifferentOnesDoNot() throws {
        let lines = SizeUpdateLines(capacity: 2)
        let a = try #require(lines.encoded([.exists(5), .recent(0)]))
        let b = try #require(lines.encoded([.exists(5), .recent(0)]))
        let other = try #require(lines.encoded([.exists(5), .recent(1)]))
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
        #expect(other != a)
        // Beyond the capacity the oldest entry goes; its text is encoded afresh, equal.
        _ = lines.encoded([.exists(6)])
        let again = try #require(lines.encoded([.exists(5), .recent(0)]))
        #expect(again == a)
        #expect(String(decoding: lines.encoded([.exists(4)]) ?? [], as: UTF8.self) == "* 4 EXISTS\r\n")
    }
}
