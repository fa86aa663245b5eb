import IMAPCodec
import MailStore
import Testing
@testable import IMAPServer

@Suite struct SearchTranslationTests {
    /// Held by the suite instance (one per test) so the store outlives every use.
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    /// A mailbox of five messages: 1 and 3 seen, 2 flagged with keyword Work, 4
    /// from bob with an 8-bit body, 5 large.
    private func fixture() async throws -> Mailbox {
        let inbox = try await scratch.inbox()
        let day = InternalDate(secondsSinceEpoch: 1_057_049_557) // 2003-07-01
        _ = try await inbox.append([
            NewMessage(plainMessage, flags: MessageFlags(.seen), internalDate: day),
            NewMessage(plainMessage, flags: MessageFlags(.flagged, keywords: ["Work"]), internalDate: day),
            NewMessage(multipartMessage, flags: MessageFlags(.seen), internalDate: InternalDate(secondsSinceEpoch: 1_057_136_000)),
            NewMessage(crlf(["From: bob@example.org", "Subject: caf\u{00E9}", "", "Gr\u{00FC}\u{00DF}e aus K\u{00F6}ln"]),
                       internalDate: InternalDate(secondsSinceEpoch: 1_057_222_400)),
            NewMessage(crlf(["Subject: big", ""] + Array(repeating: String(repeating: "x", count: 70), count: 200))),
        ])
        return inbox
    }

    private func search(_ key: IMAPCodec.SearchKey, _ inbox: Mailbox, translation: SearchTranslation = SearchTranslation()) -> [UID] {
        inbox.search(translation.storeKey(key))
    }

    @Test func flagsKeywordsAndBooleans() async throws {
        let inbox = try await fixture()
        #expect(search(.seen, inbox) == [1, 3])
        #expect(search(.unseen, inbox) == [2, 4, 5])
        #expect(search(.keyword(Flag("Work")), inbox) == [2])
        #expect(search(.keyword(Flag("\\Flagged")), inbox) == [2])
        #expect(search(.unkeyword(Flag("Work")), inbox) == [1, 3, 4, 5])
        #expect(search(.or(.seen, .flagged), inbox) == [1, 2, 3])
        #expect(search(.not(.or(.seen, .flagged)), inbox) == [4, 5])
        #expect(search(.and([.unseen, .not(.flagged)]), inbox) == [4, 5])
    }

    @Test func setsDatesAndSizes() async throws {
        let inbox = try await fixture()
        #expect(search(.sequenceNumbers(.ranges([.init(.number(2), .number(3)), .init(.last)])), inbox) == [2, 3, 5])
        #expect(search(.uid(.ranges([.init(.number(4), .last)])), inbox) == [4, 5])
        #expect(search(.on(IMAPDate(year: 2003, month: 7, day: 1)), inbox) == [1, 2])
        #expect(search(.since(IMAPDate(year: 2003, month: 7, day: 2)), inbox) == [3, 4, 5])
        #expect(search(.before(IMAPDate(year: 2003, month: 7, day: 2)), inbox) == [1, 2])
        #expect(search(.sentOn(IMAPDate(year: 2003, month: 7, day: 2)), inbox) == [3])
        #expect(search(.larger(10_000), inbox) == [5])
        #expect(search(.smaller(200), inbox) == [1, 2, 4])
    }

    @Test func textKeysSearchDecodedText() async throws {
        let inbox = try await fixture()
        #expect(search(.from("BOB@example"), inbox) == [4])
        #expect(search(.subject("café"), inbox) == [4])
        #expect(search(.body("köln"), inbox) == [4])
        #expect(search(.text("Report"), inbox) == [3])
        #expect(search(.header(field: "Subject", value: ""), inbox) == [1, 2, 3, 4, 5])
    }

    @Test func savedResultAndRecent() async throws {
        let inbox = try await fixture()
        var translation = SearchTranslation()
        #expect(search(.uid(.lastSearchResult), inbox, translation: translation) == [])
        translation.savedResult = UIDSet(uids: [2, 5])
        translation.recentUIDs = UIDSet(uids: [4, 5])
        #expect(search(.sequenceNumbers(.lastSearchResult), inbox, translation: translation) == [2, 5])
        #expect(search(.recent, inbox, translation: translation) == [4, 5])
        #expect(search(.old, inbox, translation: translation) == [1, 2, 3])
        #expect(search(.new, inbox, translation: translation) == [4, 5])
    }

    @Test(arguments: [(String?.none, true), ("utf-8", true), ("US-ASCII", true), ("ISO-8859-1", false), ("KOI8-R", false)])
    func charsets(charset: String?, accepted: Bool) {
        if accepted {
            #expect(throws: Never.self) { try SearchTranslation.checkCharset(charset) }
        } else {
            #expect(throws: MessageCommandError.badCharset(charset!)) { try SearchTranslation.checkCharset(charset) }
            #expect(MessageCommandError.badCharset(charset!).response.code == .badCharset(["UTF-8", "US-ASCII"]))
        }
    }
}

@Suite struct SearchResponderTests {
    private let matches: [UID] = [3, 4, 5, 9, 12]
    /// UIDs 3… map to sequence numbers 2… (UID 1 and 2 are at 1, 6 was expunged).
    private func sequence(_ uid: UID) -> UInt32? { [3: 2, 4: 3, 5: 4, 9: 7, 12: 9][uid] }

    private func line(_ command: SearchCommand, rev2: Bool, tag: String = "A1") -> (String?, UIDSet?) {
        let outcome = SearchResponder.outcome(
            matches: matches, command: command, tag: tag, rev2: rev2, sequenceNumber: sequence)
        return (outcome.response.map { wire($0) }, outcome.saved)
    }

    @Test func rev1PlainSearch() {
        #expect(line(SearchCommand(byUID: false, key: .all), rev2: false).0 == "* SEARCH 2 3 4 7 9\r\n")
        #expect(line(SearchCommand(byUID: true, key: .all), rev2: false).0 == "* SEARCH 3 4 5 9 12\r\n")
    }

    @Test func rev2AlwaysAnswersESEARCH() {
        #expect(line(SearchCommand(byUID: false, key: .all), rev2: true).0 == "* ESEARCH (TAG \"A1\") ALL 2:4,7,9\r\n")
        #expect(line(SearchCommand(byUID: true, key: .all), rev2: true).0 == "* ESEARCH (TAG \"A1\") UID ALL 3:5,9,12\r\n")
    }

    @Test func returnOptions() {
        let command = SearchCommand(byUID: false, returnOptions: [.min, .max, .count], key: .all)
        #expect(line(command, rev2: false).0 == "* ESEARCH (TAG \"A1\") MIN 2 MAX 9 COUNT 5\r\n")
        let empty = SearchResponder.outcome(
            matches: [], command: SearchCommand(byUID: false, returnOptions: [.all, .count], key: .all),
            tag: "A2", rev2: true, sequenceNumber: sequence)
        #expect(empty.response.map { wire($0) } == "* ESEARCH (TAG \"A2\") COUNT 0\r\n")
    }

    @Test func saveAloneAnswersNothingAndSavesUIDs() {
        let (response, saved) = line(SearchCommand(byUID: false, returnOptions: [.save], key: .all), rev2: true)
        #expect(response == nil)
        #expect(saved == UIDSet(uids: matches))
    }

    @Test func saveWithMinMaxSavesOnlyThose() {
        let (response, saved) = line(SearchCommand(byUID: false, returnOptions: [.save, .min, .max], key: .all), rev2: true)
        #expect(response == "* ESEARCH (TAG \"A1\") MIN 2 MAX 9\r\n")
        #expect(saved == UIDSet(uids: [3, 12]))
    }
}
