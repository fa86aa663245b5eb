import Testing
@testable import MailStore

/// SEARCH over a six-message mailbox, one table row per key (RFC 9051 6.4.4).
@Suite struct SearchTests {
    static func day(_ y: Int, _ m: Int, _ d: Int) -> Int32 { CivilDate.days(year: y, month: m, day: d) }

    /// UID 1…6; UID 3 is expunged first, so sequence numbers and UIDs differ.
    static func makeMailbox(analyzer: any MessageAnalyzer = MIMEMessageAnalyzer()) async throws -> (Mailbox, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory, options: StoreOptions(analyzer: analyzer)).user("u").mailbox(named: "INBOX")
        func at(_ y: Int, _ m: Int, _ d: Int, hour: Int64 = 12, zone: Int16 = 0) -> InternalDate {
            InternalDate(secondsSinceEpoch: Int64(day(y, m, d)) * 86_400 + hour * 3600 - Int64(zone) * 60, zoneMinutes: zone)
        }
        let messages: [NewMessage] = [
            NewMessage(makeMessage(from: "Alice <alice@example.com>", subject: "Quarterly report",
                                   date: "Mon, 5 Jan 2026 09:00:00 +0000", body: "Numbers are UP."),
                       flags: MessageFlags(.seen), internalDate: at(2026, 1, 5)),
            NewMessage(makeMessage(from: "Bob <bob@example.org>", to: "team@example.com", subject: "Lunch?",
                                   date: "Tue, 6 Jan 2026 23:30:00 -0800", body: "Pizza at noon",
                                   extraHeaders: ["Cc: carol@example.net", "X-Priority: 1"]),
                       flags: MessageFlags([.answered, .flagged], keywords: ["Work"]), internalDate: at(2026, 1, 7, hour: 7)),
            NewMessage(makeMessage(subject: "gone"), internalDate: at(2026, 1, 8)),
            NewMessage(makeMessage(from: "Carol <carol@example.net>", subject: "Re: Quarterly report",
                                   date: "Thu, 8 Jan 2026 10:00:00 +0100", body: String(repeating: "long text ", count: 200),
                                   extraHeaders: ["Bcc: hidden@example.com"]),
                       flags: MessageFlags([.deleted, .seen], keywords: ["Work", "$Forwarded"]), internalDate: at(2026, 1, 8)),
            NewMessage(makeMessage(from: "Dave <dave@example.com>", subject: "Draft idea", date: "garbage", body: "tbd"),
                       flags: MessageFlags(.draft), internalDate: at(2026, 1, 9, hour: 1, zone: 120)),
            NewMessage(Array("Subject: no date\r\n\r\nx\r\n".utf8), internalDate: at(2026, 1, 10)),
        ]
        _ = try await inbox.append(messages)
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([3...3]))
        try await inbox.expunge(uids: UIDSet([3...3]))
        // Give UID 6 a higher MODSEQ than the rest.
        _ = try await inbox.store(.add(MessageFlags(keywords: ["Late"])), uids: UIDSet([6...6]))
        return (inbox, directory)
    }

    static let cases: [(SearchKey, [UID])] = [
        (.all, [1, 2, 4, 5, 6]),
        (.sequenceSet([SequenceRange(2...3)]), [2, 4]),
        (.sequenceSet([SequenceRange(.number(4), .last)]), [5, 6]),
        (.sequenceSet([SequenceRange(4...99)]), [5, 6]),
        (.uid([SequenceRange(2...4)]), [2, 4]),
        (.uid([SequenceRange(.number(5), .last)]), [5, 6]),
        (.answered, [2]), (.unanswered, [1, 4, 5, 6]),
        (.deleted, [4]), (.undeleted, [1, 2, 5, 6]),
        (.draft, [5]), (.undraft, [1, 2, 4, 6]),
        (.flagged, [2]), (.unflagged, [1, 4, 5, 6]),
        (.seen, [1, 4]), (.unseen, [2, 5, 6]),
        (.keyword("Work"), [2, 4]), (.unkeyword("Work"), [1, 5, 6]),
        (.keyword("$Forwarded"), [4]), (.keyword("Nobody"), []), (.unkeyword("Nobody"), [1, 2, 4, 5, 6]),
        (.before(day: day(2026, 1, 8)), [1, 2]),
        (.on(day: day(2026, 1, 8)), [4]),
        (.since(day: day(2026, 1, 9)), [5, 6]),
        // UID 5's internal date is 2026-01-09 01:00 +0200 = 2026-01-08 23:00 UTC: its own day counts.
        (.on(day: day(2026, 1, 9)), [5]),
        // Sent dates use the Date: header's own day (UID 2: 6 Jan -0800, which is 7 Jan in UTC).
        (.sentOn(day: day(2026, 1, 6)), [2]),
        (.sentBefore(day: day(2026, 1, 6)), [1]),
        // No readable Date: header → the internal date stands in.
        (.sentSince(day: day(2026, 1, 9)), [5, 6]),
        (.larger(1000), [4]), (.smaller(60), [6]),
        (.modSeq(1_000_000), []),
        (.text(.from("alice")), [1]), (.text(.from("EXAMPLE.NET")), [4]),
        (.text(.to("team@")), [2]), (.text(.cc("carol")), [2]), (.text(.bcc("hidden")), [4]),
        (.text(.subject("quarterly")), [1, 4]),
        (.text(.header(field: "X-Priority", value: "")), [2]),
        (.text(.header(field: "x-priority", value: "1")), [2]),
        (.text(.header(field: "Date", value: "")), [1, 2, 4, 5]),
        (.text(.body("pizza")), [2]), (.text(.body("Lunch")), []),
        (.text(.text("lunch")), [2]), (.text(.text("numbers are up")), [1]),
        (.not(.seen), [2, 5, 6]),
        (.or(.draft, .flagged), [2, 5]),
        (.and([.keyword("Work"), .not(.deleted)]), [2]),
        (.and([.or(.text(.subject("report")), .draft), .unseen]), [5]),
        (.not(.or(.seen, .text(.body("tbd")))), [2, 6]),
        (.and([]), [1, 2, 4, 5, 6]),
    ]

    @Test(arguments: cases)
    func key(_ key: SearchKey, matches expected: [UID]) async throws {
        let (inbox, directory) = try await Self.makeMailbox()
        _ = directory
        #expect(inbox.search(key) == expected)
    }

    /// The fallback analyzer (no MIME decoding) agrees on these plain-ASCII messages.
    @Test(arguments: cases)
    func plainAnalyzerKey(_ key: SearchKey, matches expected: [UID]) async throws {
        let (inbox, directory) = try await Self.makeMailbox(analyzer: PlainMessageAnalyzer())
        _ = directory
        #expect(inbox.search(key) == expected)
    }

    @Test func textKeysDecodeMIMEThroughTheMIMEModule() async throws {
        let directory = TemporaryDirectory()
        let inbox = try await openStore(directory).user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(Array((
            "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.de>\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + "U2Now7ZuZW4gR3LDvMOfZQ==\r\n").utf8))
        #expect(inbox.search(.text(.from("jürgen"))) == [1])
        #expect(inbox.search(.text(.subject("GRÜSSE"))) == [1] || inbox.search(.text(.subject("grüße"))) == [1])
        #expect(inbox.search(.text(.body("schönen"))) == [1])
        #expect(inbox.search(.text(.body("U2Nob"))) == [], "the base64 text is decoded, not matched raw")
    }

    @Test func modSeqKeyFindsRecentChanges() async throws {
        let (inbox, directory) = try await Self.makeMailbox()
        _ = directory
        let highest = inbox.status().highestModSeq
        #expect(inbox.search(.modSeq(highest)) == [6])
        #expect(inbox.view().changed(since: highest - 1) == UIDSet([6...6]))
        #expect(inbox.search(.modSeq(0)).count == 5)
    }

    @Test(arguments: [
        ("Tue, 1 Jul 2003 10:52:37 +0200", CivilDate.days(year: 2003, month: 7, day: 1)),
        ("1 Jul 03 10:52 GMT", CivilDate.days(year: 2003, month: 7, day: 1)),
        ("Sat, 29 Feb 2020 23:59:59 -1200", CivilDate.days(year: 2020, month: 2, day: 29)),
        ("Thu, 01 Jan 1970 00:00:00 +0000", 0),
    ] as [(String, Int32)])
    func sentDateParsing(header: String, day: Int32) {
        #expect(CivilDate.sentDay(fromDateHeader: header) == day)
    }
}
