import Testing
@testable import IMAPCodec

/// A command line (CRLF added) and the command it must parse to.
struct ParseCase: CustomTestStringConvertible, Sendable {
    var wire: String
    var expected: Command

    init(_ wire: String, _ expected: Command) {
        self.wire = wire
        self.expected = expected
    }

    var testDescription: String { wire.debugDescription }
}

private func set(_ ranges: SequenceRange...) -> SequenceSet { .ranges(ranges) }
private func n(_ value: UInt32) -> SequenceRange { SequenceRange(.number(value)) }
private func r(_ first: UInt32, _ last: UInt32) -> SequenceRange { SequenceRange(.number(first), .number(last)) }
private func toLast(_ first: UInt32) -> SequenceRange { SequenceRange(.number(first), .last) }
private func mailbox(_ name: String) -> MailboxName { MailboxName(name) }

/// Commands from the examples of RFC 9051 section 6 and the extension RFCs, in the
/// spelling the RFCs use, plus lower-case and IMAP4rev1 variants.
let commandCases: [ParseCase] = [
    // command-any
    ParseCase("abcd CAPABILITY", .capability),
    ParseCase("a002 NOOP", .noop),
    ParseCase("A023 LOGOUT", .logout),
    ParseCase("a1 noop", .noop),
    ParseCase(
        "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)",
        .id([IDField(key: "name", value: "sodr"), IDField(key: "version", value: "19.34"), IDField(key: "vendor", value: nil)])),
    ParseCase("a023 ID NIL", .id(nil)),
    ParseCase("t1 ENABLE CONDSTORE QRESYNC", .enable(["CONDSTORE", "QRESYNC"])),
    ParseCase("t1 ENABLE IMAP4rev2", .enable(["IMAP4rev2"])),
    // command-nonauth
    ParseCase("a001 STARTTLS", .startTLS),
    ParseCase("A001 AUTHENTICATE GSSAPI", .authenticate(mechanism: "GSSAPI", initialResponse: nil)),
    ParseCase(
        "a AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=",
        .authenticate(mechanism: "PLAIN", initialResponse: .base64("dGVzdAB0ZXN0AHRlc3Q="))),
    ParseCase("a AUTHENTICATE EXTERNAL =", .authenticate(mechanism: "EXTERNAL", initialResponse: .empty)),
    ParseCase("a001 LOGIN SMITH SESAME", .login(username: "SMITH", password: "SESAME")),
    ParseCase("a001 LOGIN \"fred \\\"q\\\" smith\" {6+}\r\nse\\cr\"", .login(username: "fred \"q\" smith", password: "se\\cr\"")),
    ParseCase("a001 LOGIN \"ü\" {2}\r\nab", .login(username: "ü", password: "ab")),
    // command-auth
    ParseCase("A142 SELECT INBOX", .select(.inbox, [])),
    ParseCase("A142 SELECT inbox", .select(.inbox, [])),
    ParseCase("A142 SELECT \"InBoX\"", .select(.inbox, [])),
    ParseCase("A932 EXAMINE blurdybloop", .examine(mailbox("blurdybloop"), [])),
    ParseCase("a SELECT INBOX (CONDSTORE)", .select(.inbox, [.condStore])),
    ParseCase(
        "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
        .select(.inbox, [.qresync(QResyncParameter(
            uidValidity: 67_890_007, modificationSequence: 20_050_715_194_045_000,
            knownUIDs: set(n(41), r(43, 211), r(214, 541))))])),
    ParseCase(
        "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979:29997)))",
        .select(.inbox, [.qresync(QResyncParameter(
            uidValidity: 67_890_007, modificationSequence: 90_060_115_194_045_000, knownUIDs: set(r(1, 29997)),
            sequenceMatch: .init(
                sequenceNumbers: set(n(5000), n(7500), n(9000), r(9990, 9999)),
                uids: set(n(15000), n(22500), n(27000), n(29970), n(29973), n(29976), r(29979, 29997)))))])),
    ParseCase("a EXAMINE Drafts (X-FOO (1 2) X-BAR)", .examine(mailbox("Drafts"), [
        .other(ExtensionParameter(name: "X-FOO", value: .list([.atom("1"), .atom("2")]))),
        .other(ExtensionParameter(name: "X-BAR")),
    ])),
    ParseCase("A003 CREATE owatagusiam/", .create(mailbox("owatagusiam/"), [])),
    ParseCase("t1 CREATE \"Important Messages\" (USE (\\Important))", .create(mailbox("Important Messages"), [.use(["\\Important"])])),
    ParseCase("A683 DELETE blurdybloop", .delete(mailbox("blurdybloop"))),
    ParseCase("A683 RENAME blurdybloop sarasoop", .rename(from: mailbox("blurdybloop"), to: mailbox("sarasoop"), [])),
    ParseCase("A002 SUBSCRIBE #news.comp.mail.mime", .subscribe(mailbox("#news.comp.mail.mime"))),
    ParseCase("A002 UNSUBSCRIBE #news.comp.mail.mime", .unsubscribe(mailbox("#news.comp.mail.mime"))),
    ParseCase("A101 LIST \"\" \"\"", .list(ListCommand(reference: mailbox(""), patterns: [""]))),
    ParseCase("A102 LIST #news.comp.mail.misc \"\"", .list(ListCommand(reference: mailbox("#news.comp.mail.misc"), patterns: [""]))),
    ParseCase("A202 LIST ~/Mail/ %", .list(ListCommand(reference: mailbox("~/Mail/"), patterns: ["%"]))),
    ParseCase("a LIST \"\" *", .list(ListCommand(reference: mailbox(""), patterns: ["*"]))),
    ParseCase(
        "A02 LIST (SUBSCRIBED) \"\" \"*\"",
        .list(ListCommand(selectionOptions: [.subscribed], reference: mailbox(""), patterns: ["*"]))),
    ParseCase(
        "A03 LIST () \"\" \"%\" RETURN (CHILDREN)",
        .list(ListCommand(reference: mailbox(""), patterns: ["%"], returnOptions: [.children]))),
    ParseCase(
        "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)",
        .list(ListCommand(selectionOptions: [.remote], reference: mailbox(""), patterns: ["%"], returnOptions: [.children]))),
    ParseCase(
        "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"",
        .list(ListCommand(selectionOptions: [.subscribed, .recursiveMatch], reference: mailbox(""), patterns: ["%"]))),
    ParseCase(
        "BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")",
        .list(ListCommand(reference: mailbox(""), patterns: ["INBOX", "Drafts", "Sent/%"]))),
    ParseCase(
        "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))",
        .list(ListCommand(reference: mailbox(""), patterns: ["%"], returnOptions: [.status([.messages, .unseen])]))),
    ParseCase(
        "t1 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)",
        .list(ListCommand(selectionOptions: [.specialUse], reference: mailbox(""), patterns: ["*"], returnOptions: [.specialUse]))),
    ParseCase("A002 LSUB \"#news.\" \"comp.mail.*\"", .lsub(reference: mailbox("#news."), pattern: "comp.mail.*")),
    ParseCase("A001 NAMESPACE", .namespace),
    ParseCase("A042 STATUS blurdybloop (UIDNEXT MESSAGES)", .status(mailbox("blurdybloop"), [.uidNext, .messages])),
    ParseCase(
        "a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)",
        .status(.inbox, [.messages, .recent, .uidNext, .uidValidity, .unseen, .deleted, .size, .highestModificationSequence, .appendLimit])),
    ParseCase(
        "A003 APPEND saved-messages (\\Seen) {22+}\r\nFrom: a\r\n\r\nHello Joe\r\n",
        .append(mailbox("saved-messages"), [AppendMessage(
            options: AppendOptions(flags: [.seen]), data: Array("From: a\r\n\r\nHello Joe\r\n".utf8))])),
    ParseCase(
        "A003 APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc",
        .append(.inbox, [AppendMessage(
            options: AppendOptions(internalDate: IMAPDateTime(
                date: IMAPDate(year: 1996, month: 7, day: 17), hour: 2, minute: 44, second: 25, zoneMinutes: -420)),
            data: Array("abc".utf8))])),
    ParseCase(
        "A003 APPEND INBOX (\\Seen $Work) \" 7-Jul-1996 02:44:25 +0130\" {1+}\r\nx (\\Draft) {2+}\r\nyz",
        .append(.inbox, [
            AppendMessage(
                options: AppendOptions(flags: [.seen, Flag("$Work")], internalDate: IMAPDateTime(
                    date: IMAPDate(year: 1996, month: 7, day: 7), hour: 2, minute: 44, second: 25, zoneMinutes: 90)),
                data: Array("x".utf8)),
            AppendMessage(options: AppendOptions(flags: [.draft]), data: Array("yz".utf8)),
        ])),
    ParseCase(
        "a APPEND INBOX ~{3+}\r\na\0b",
        .append(.inbox, [AppendMessage(options: AppendOptions(), data: [0x61, 0, 0x62], isBinary: true)])),
    ParseCase("a IDLE", .idle),
    ParseCase("a COMPRESS DEFLATE", .compress(algorithm: "DEFLATE")),
    // command-select
    ParseCase("FXXZ CHECK", .check),
    ParseCase("A341 CLOSE", .close),
    ParseCase("A342 UNSELECT", .unselect),
    ParseCase("A202 EXPUNGE", .expunge),
    ParseCase("A003 UID EXPUNGE 3000:3002", .uidExpunge(set(r(3000, 3002)))),
    ParseCase("A003 COPY 2:4 MEETING", .copy(set(r(2, 4)), mailbox("MEETING"), byUID: false)),
    ParseCase("a UID COPY 1:* Archive", .copy(set(toLast(1)), mailbox("Archive"), byUID: true)),
    // The shared 1:* array must not swallow a longer set.
    ParseCase("a UID COPY 1:*,7 Archive", .copy(set(toLast(1), r(7, 7)), mailbox("Archive"), byUID: true)),
    ParseCase("a UID COPY 1:12 Archive", .copy(set(r(1, 12)), mailbox("Archive"), byUID: true)),
    ParseCase("a MOVE 2:4 MEETING", .move(set(r(2, 4)), mailbox("MEETING"), byUID: false)),
    ParseCase("a uid move $ Trash", .move(.lastSearchResult, mailbox("Trash"), byUID: true)),
    ParseCase("A003 STORE 2:4 +FLAGS (\\Deleted)", .store(StoreCommand(
        byUID: false, set: set(r(2, 4)), flags: StoreFlags(operation: .add, silent: false, flags: [.deleted])))),
    ParseCase("a UID STORE 1:3,5 +FLAGS.SILENT (\\Seen)", .store(StoreCommand(
        byUID: true, set: set(r(1, 3), n(5)), flags: StoreFlags(operation: .add, silent: true, flags: [.seen])))),
    ParseCase("a STORE * -FLAGS \\Seen \\Flagged", .store(StoreCommand(
        byUID: false, set: set(SequenceRange(.last)), flags: StoreFlags(operation: .remove, silent: false, flags: [.seen, .flagged])))),
    ParseCase("a STORE 1 FLAGS ()", .store(StoreCommand(
        byUID: false, set: set(n(1)), flags: StoreFlags(operation: .replace, silent: false, flags: [])))),
    ParseCase("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)", .store(StoreCommand(
        byUID: false, set: set(n(7), n(5), n(9)), modifiers: [.unchangedSince(320_162_338)],
        flags: StoreFlags(operation: .add, silent: true, flags: [.deleted])))),
    ParseCase("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", .fetch(FetchCommand(
        byUID: false, set: set(r(2, 4)),
        attributes: [.flags, .bodySection(SectionSpecifier(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false)]))),
    ParseCase("a UID FETCH 1:* (FLAGS)", .fetch(FetchCommand(byUID: true, set: .all, attributes: [.flags]))),
    ParseCase("a FETCH 1 ALL", .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: FetchAttribute.all))),
    ParseCase("a FETCH 1 fast", .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: FetchAttribute.fast))),
    ParseCase("a FETCH 1 FULL", .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: FetchAttribute.full))),
    ParseCase("a FETCH 1 BODYSTRUCTURE", .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: [.bodyStructure]))),
    ParseCase(
        "a FETCH 1 (ENVELOPE INTERNALDATE RFC822.SIZE BODY UID MODSEQ RFC822 RFC822.HEADER RFC822.TEXT)",
        .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: [
            .envelope, .internalDate, .rfc822Size, .body, .uid, .modificationSequence, .rfc822, .rfc822Header, .rfc822Text,
        ]))),
    ParseCase(
        "a FETCH 1 (BODY[] BODY.PEEK[1.2.MIME] BODY[3.HEADER.FIELDS.NOT (X-A \"X-B\")]<0.2048> body.peek[TEXT]<10.20> BODY[4.TEXT] BODY[2])",
        .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: [
            .bodySection(.whole, partial: nil, peek: false),
            .bodySection(SectionSpecifier(part: [1, 2], text: .mime), partial: nil, peek: true),
            .bodySection(SectionSpecifier(part: [3], text: .headerFieldsNot(["X-A", "X-B"])), partial: PartialRange(offset: 0, count: 2048), peek: false),
            .bodySection(SectionSpecifier(text: .text), partial: PartialRange(offset: 10, count: 20), peek: true),
            .bodySection(SectionSpecifier(part: [4], text: .text), partial: nil, peek: false),
            .bodySection(SectionSpecifier(part: [2]), partial: nil, peek: false),
        ]))),
    ParseCase(
        "a FETCH 1 (BINARY[1] BINARY.PEEK[1.2]<0.100> BINARY.SIZE[1] BINARY[])",
        .fetch(FetchCommand(byUID: false, set: set(n(1)), attributes: [
            .binary(part: [1], partial: nil, peek: false),
            .binary(part: [1, 2], partial: PartialRange(offset: 0, count: 100), peek: true),
            .binarySize(part: [1]),
            .binary(part: [], partial: nil, peek: false),
        ]))),
    ParseCase(
        "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
        .fetch(FetchCommand(byUID: true, set: set(r(300, 500)), attributes: [.flags], modifiers: [.changedSince(12345), .vanished]))),
    ParseCase("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", .search(SearchCommand(
        byUID: false, key: .and([.flagged, .since(IMAPDate(year: 1994, month: 2, day: 1)), .not(.from("Smith"))])))),
    ParseCase("A283 SEARCH RETURN () FLAGGED", .search(SearchCommand(byUID: false, returnOptions: [], key: .flagged))),
    // The shared RETURN (ALL) array must not swallow a longer list.
    ParseCase("a SEARCH RETURN (all) FLAGGED", .search(SearchCommand(byUID: false, returnOptions: [.all], key: .flagged))),
    ParseCase("a SEARCH RETURN (ALL MIN) FLAGGED", .search(SearchCommand(byUID: false, returnOptions: [.all, .min], key: .flagged))),
    ParseCase("A284 SEARCH RETURN (MIN COUNT) FLAGGED", .search(SearchCommand(byUID: false, returnOptions: [.min, .count], key: .flagged))),
    ParseCase("A285 UID SEARCH RETURN (MIN MAX ALL SAVE) CHARSET UTF-8 TEXT \"Ünicode\"", .search(SearchCommand(
        byUID: true, returnOptions: [.min, .max, .all, .save], charset: "UTF-8", key: .text("Ünicode")))),
    ParseCase("A286 SEARCH CHARSET \"UTF-8\" SUBJECT {4+}\r\nXXXX", .search(SearchCommand(byUID: false, charset: "UTF-8", key: .subject("XXXX")))),
    ParseCase("a UID SEARCH 1:100 UNSEEN", .search(SearchCommand(byUID: true, key: .and([.sequenceNumbers(set(r(1, 100))), .unseen])))),
    ParseCase("a SEARCH UID $", .search(SearchCommand(byUID: false, key: .uid(.lastSearchResult)))),
    ParseCase("a SEARCH $", .search(SearchCommand(byUID: false, key: .sequenceNumbers(.lastSearchResult)))),
    ParseCase("a SEARCH OR (SEEN DRAFT) NOT (DELETED)", .search(SearchCommand(byUID: false, key: .or(.and([.seen, .draft]), .not(.deleted))))),
    ParseCase(
        "a SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT FLAGGED FROM f KEYWORD $Junk LARGER 100 NEW OLD ON \"2-Mar-2001\" RECENT SEEN SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 SMALLER 5 SUBJECT s TEXT t TO o UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $Junk UNSEEN HEADER X-Spam yes",
        .search(SearchCommand(byUID: false, key: .and([
            .all, .answered, .bcc("b"), .before(IMAPDate(year: 2000, month: 1, day: 1)), .body("x"), .cc("c"), .deleted, .draft,
            .flagged, .from("f"), .keyword(Flag("$Junk")), .larger(100), .new, .old, .on(IMAPDate(year: 2001, month: 3, day: 2)),
            .recent, .seen, .sentBefore(IMAPDate(year: 2000, month: 1, day: 1)), .sentOn(IMAPDate(year: 2000, month: 1, day: 1)),
            .sentSince(IMAPDate(year: 2000, month: 1, day: 1)), .since(IMAPDate(year: 2000, month: 1, day: 1)), .smaller(5),
            .subject("s"), .text("t"), .to("o"), .unanswered, .undeleted, .undraft, .unflagged, .unkeyword(Flag("$Junk")),
            .unseen, .header(field: "X-Spam", value: "yes"),
        ])))),
    ParseCase("a SEARCH MODSEQ 620162338", .search(SearchCommand(byUID: false, key: .modificationSequence(620_162_338, entry: nil)))),
    ParseCase(
        "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338",
        .search(SearchCommand(byUID: false, key: .modificationSequence(620_162_338, entry: ModSeqEntry(flag: .draft, type: .all))))),
    // unknown
    ParseCase("a XYZZY plugh", .unknown(name: "XYZZY")),
    ParseCase("a GETQUOTAROOT INBOX", .unknown(name: "GETQUOTAROOT")),
]

@Suite("CommandParser")
struct CommandParserTests {
    @Test(arguments: commandCases)
    func parses(_ testCase: ParseCase) throws {
        let frame = Array(wire: testCase.wire + "\r\n")
        let parsed = try CommandParser.parseCommand(frame[...])
        #expect(parsed.command == testCase.expected)
        #expect(parsed.tag == String(testCase.wire.prefix { $0 != " " }))
        // The raw-bytes entry point parses the same bytes to the same command.
        let fromRaw = try frame.withUnsafeBytes { bytes in try CommandParser.parseCommand(bytes) }
        #expect(fromRaw == parsed)
    }

    /// Framing then parsing, one byte at a time: the frame the framer hands over is the
    /// one the parser accepts.
    @Test(arguments: commandCases)
    func parsesAfterBytewiseFraming(_ testCase: ParseCase) throws {
        let wire = Array(wire: testCase.wire + "\r\n")
        let events = frameEventsBytewise(wire)
        let frames = events.compactMap { event -> String? in
            if case .command(let text) = event { return text }
            return nil
        }
        try #require(frames.count == 1)
        #expect(try CommandParser.parseCommand(Array(wire: frames[0])[...]).command == testCase.expected)
    }

    @Test func idleDone() {
        #expect(CommandParser.isIdleDone(Array(wire: "DONE\r\n")[...]))
        #expect(CommandParser.isIdleDone(Array(wire: "done\r\n")[...]))
        #expect(!CommandParser.isIdleDone(Array(wire: "DONE x\r\n")[...]))
        #expect(!CommandParser.isIdleDone(Array(wire: "a1 NOOP\r\n")[...]))
    }

    @Test func authenticationLines() throws {
        #expect(try CommandParser.parseAuthenticationLine(Array(wire: "dGVzdA==\r\n")[...]) == .response(base64: "dGVzdA=="))
        #expect(try CommandParser.parseAuthenticationLine(Array(wire: "\r\n")[...]) == .response(base64: ""))
        #expect(try CommandParser.parseAuthenticationLine(Array(wire: "*\r\n")[...]) == .cancel)
        #expect(throws: CommandParseError.self) { try CommandParser.parseAuthenticationLine(Array(wire: "abc\r\n")[...]) }
    }
}
