import IMAPCodec
import Testing
@testable import LoadCore

@Suite("Message corpus and its validators")
struct MessageWorkloadTests {
    @Test(arguments: [640, 1024, 4096, 102_400])
    func corpusMessagesHaveTheExactSize(size: Int) {
        for serial in [0, 7, 99_999] {
            #expect(MessageCorpus.message(size: size, serial: serial, user: "load10").count == size)
        }
    }

    @Test(arguments: [(0, 2024, 1, 1), (30, 2024, 1, 31), (59, 2024, 2, 29), (60, 2024, 3, 1), (365, 2024, 12, 31), (366, 2025, 1, 1), (999, 2026, 9, 26)])
    func daysCountFromNewYear2024(day: Int, year: Int, month: Int, dayOfMonth: Int) {
        #expect(MessageCorpus.date(ofDay: day) == IMAPDate(year: year, month: month, day: dayOfMonth))
    }

    @Test func messageTextCarriesItsTokens() {
        let text = String(decoding: MessageCorpus.message(size: 1024, serial: 1234, user: "load1"), as: UTF8.self)
        #expect(text.contains("From: sender-34 <sender-34@corpus.invalid>\r\n"))
        #expect(text.contains("about topic-638 report\r\n"))  // 1234 * 7 % 1000
        #expect(text.contains("Date: Thu, 22 Aug 2024 12:00:00 +0000\r\n"))  // day 234; 2024-08-22 was a Thursday
        #expect(text.contains("needle-6042"))  // 1234 * 13 % 10000
    }

    /// Each parameter of a search matches the share of 100,000 messages the key implies.
    @Test(arguments: [(CorpusSearch.flagged, 0, 10_000), (.unseen, 0, 33_334), (.from, 7, 2_000), (.subject, 42, 100),
                      (.sentRange, 100, 3_000), (.internalRange, 969, 3_000), (.body, 4_321, 10), (.text, 0, 10)])
    func searchesMatchTheExpectedShare(search: CorpusSearch, parameter: Int, expected: Int) {
        #expect((0..<100_000).lazy.filter { search.matches(parameter, serial: $0) }.count == expected)
    }

    @Test func flagsFollowTheSerial() {
        #expect(MessageCorpus.flags(0) == [.flagged, .answered])
        #expect(MessageCorpus.flags(1) == [.seen])
        #expect(MessageCorpus.flags(70) == [.seen, .flagged, .answered])
        #expect(!(0..<1000).contains { MessageCorpus.flags($0).contains(.draft) })
    }

    @Test func searchAcceptsExactlyTheMatchingMessages() throws {
        // Of 30 messages, FLAGGED matches serials 0, 10, 20: sequence numbers 1, 11, 21.
        let rev1 = try exchange(["* SEARCH 1 11 21", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(rev1, search: .flagged, parameter: 0, exists: 30) } == nil)
        let esearch = try exchange(["* ESEARCH (TAG \"a1\") ALL 1,11,21", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(esearch, search: .flagged, parameter: 0, exists: 30) } == nil)
        let missing = try exchange(["* SEARCH 1 21", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(missing, search: .flagged, parameter: 0, exists: 30) } == "invalid SEARCH")
        let extra = try exchange(["* SEARCH 1 2 11 21", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(extra, search: .flagged, parameter: 0, exists: 30) } == "invalid SEARCH")
        let twice = try exchange(["* SEARCH 1 11 11 21", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(twice, search: .flagged, parameter: 0, exists: 30) } == "invalid SEARCH")
        let silent = try exchange(["a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(silent, search: .flagged, parameter: 0, exists: 30) } == "invalid SEARCH")
    }

    @Test func esearchRangesExpandAndAnEmptyAnswerCountsAsNone() throws {
        let ranges = try exchange(["* ESEARCH (TAG \"a1\") ALL 3:5,9", "a1 OK done"])
        #expect(try ResponseValidator.searchResult(ranges) == [3, 4, 5, 9])
        let none = try exchange(["* ESEARCH (TAG \"a1\") COUNT 0", "a1 OK done"])
        #expect(try ResponseValidator.searchResult(none) == [])
        let empty = try exchange(["* SEARCH", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSearch(empty, search: .subject, parameter: 42, exists: 100) } == "invalid SEARCH")
    }

    @Test func headerFetchMustCoverEveryMessageOnce() throws {
        let header = "BODY[HEADER.FIELDS (FROM TO)] {11}"
        let complete = try exchange([
            "* 1 FETCH (UID 1 FLAGS (\\Seen) \(header)", "From: a\r\n\r\n)",
            "* 2 FETCH (FLAGS (\\Draft))",  // another session's STORE, not an answer
            "* 2 FETCH (UID 2 FLAGS () \(header)", "From: b\r\n\r\n)", "a1 OK done",
        ])
        #expect(failureKind { _ = try ResponseValidator.validateHeaderFetch(complete, exists: 2) } == nil)
        #expect(failureKind { _ = try ResponseValidator.validateHeaderFetch(complete, exists: 3) } == "invalid FETCH")
        let noFlags = try exchange(["* 1 FETCH (UID 1 \(header)", "From: a\r\n\r\n)", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateHeaderFetch(noFlags, exists: 1) } == "invalid FETCH")
        let twice = try exchange([
            "* 1 FETCH (UID 1 FLAGS () \(header)", "From: a\r\n\r\n)", "* 1 FETCH (UID 1 FLAGS () \(header)", "From: a\r\n\r\n)", "a1 OK done",
        ])
        #expect(failureKind { _ = try ResponseValidator.validateHeaderFetch(twice, exists: 2) } == "invalid FETCH")
        let nilHeader = try exchange(["* 1 FETCH (UID 1 FLAGS () BODY[HEADER.FIELDS (FROM)] NIL)", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateHeaderFetch(nilHeader, exists: 1) } == "invalid FETCH")
    }

    @Test func multiAppendMustNameOneUIDPerMessage() throws {
        let three = try exchange(["a1 OK [APPENDUID 38505 5:6,9] APPEND completed"])
        #expect(failureKind { try ResponseValidator.validateMultiAppend(three, count: 3, expectsAppendUID: true) } == nil)
        #expect(failureKind { try ResponseValidator.validateMultiAppend(three, count: 4, expectsAppendUID: true) } == "invalid APPEND")
        let without = try exchange(["a1 OK APPEND completed"])
        #expect(failureKind { try ResponseValidator.validateMultiAppend(without, count: 2, expectsAppendUID: true) } == "invalid APPEND")
        #expect(failureKind { try ResponseValidator.validateMultiAppend(without, count: 2, expectsAppendUID: false) } == nil)
    }

    @Test(arguments: [(0, 4, 10_000, 1, 2_500), (3, 4, 10_000, 7_501, 10_000), (2, 3, 10, 7, 9)])
    func storeSlicesAreDisjoint(client: Int, clients: Int, exists: UInt32, first: UInt32, last: UInt32) {
        #expect(StoreWorkload.slice(client: client, clients: clients, exists: exists) == first...last)
    }

    @Test func searchesAndCorpusSizeAreCheckedAtParse() throws {
        let options = try LoadOptions.parse(["search", "--message-size", "1024", "--searches", "from,body"])
        #expect(options.searches == [.from, .body])
        #expect(throws: LoadError.self) { try LoadOptions.parse(["search", "--searches", "from,nonsense", "--message-size", "1024"]) }
        #expect(throws: LoadError.self) { try LoadOptions.parse(["store", "--message-size", "400"]) }
    }
}
