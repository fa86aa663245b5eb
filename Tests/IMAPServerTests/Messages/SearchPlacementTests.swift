import MailStore
import Testing
@testable import IMAPServer

/// `SearchPlacement`: text searches leave the shard past a few messages; index
/// searches only when they fill more than one of the scheduler's index chunks, so
/// the threshold follows `MAILSHARD_SEARCH_CHUNK_MESSAGES`.
@Suite struct SearchPlacementTests {
    @Test(arguments: [
        // (chunk messages, mailbox messages, inline?)
        (8192, 65_536, true), (8192, 65_537, false),
        (100, 800, true), (100, 801, false),
        (100_000, 500_000, true),
    ])
    func indexSearchesStayInlineWithinOneIndexChunk(chunk: Int, messages: Int, inline: Bool) {
        let scheduler = SearchScheduler(workers: 1, chunkRows: chunk)
        #expect(scheduler.indexChunkRows == chunk * 8)
        #expect(SearchPlacement.runsInline(.flagged, messages: messages, scheduler: scheduler) == inline)
        #expect(SearchPlacement.runsInline(.and([.seen, .since(day: 19_000)]), messages: messages, scheduler: scheduler) == inline)
    }

    @Test(arguments: [(127, true), (128, false), (100_000, false)])
    func textSearchesLeavePastAFewMessagesWhateverTheChunk(messages: Int, inline: Bool) {
        let scheduler = SearchScheduler(workers: 1, chunkRows: 100_000)
        #expect(SearchPlacement.runsInline(.text(.body("x")), messages: messages, scheduler: scheduler) == inline)
        #expect(SearchPlacement.runsInline(.and([.seen, .text(.from("a"))]), messages: messages, scheduler: scheduler) == inline)
    }
}
