import Testing
@testable import IMAPCodec

/// A response and the line(s) it must encode to, CRLF added.
struct EncodeCase: CustomTestStringConvertible, Sendable {
    var response: Response
    var wire: String
    var utf8 = false

    init(_ response: Response, _ wire: String, utf8: Bool = false) {
        self.response = response
        self.wire = wire
        self.utf8 = utf8
    }

    var testDescription: String { wire.debugDescription }
}

private let dateTime = IMAPDateTime(date: IMAPDate(year: 1996, month: 7, day: 17), hour: 2, minute: 44, second: 25, zoneMinutes: -420)

/// Responses from the examples of RFC 9051 section 7 and the extension RFCs.
let encodeCases: [EncodeCase] = [
    EncodeCase(.tagged(tag: "a1", StatusResponse(.ok, "NOOP completed")), "a1 OK NOOP completed"),
    EncodeCase(.tagged(tag: "A142", StatusResponse(.ok, code: .readWrite, "SELECT completed")), "A142 OK [READ-WRITE] SELECT completed"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.no, code: .tryCreate, "No such mailbox")), "a NO [TRYCREATE] No such mailbox"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.bad, "line\r\nbreak")), "a BAD linebreak"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.ok, "")), "a OK ."),
    EncodeCase(.untagged(.condition(StatusResponse(.ok, code: .uidValidity(3_857_529_045), "UIDs valid"))), "* OK [UIDVALIDITY 3857529045] UIDs valid"),
    EncodeCase(.untagged(.condition(StatusResponse(.ok, code: .uidNext(4392), "Predicted next UID"))), "* OK [UIDNEXT 4392] Predicted next UID"),
    EncodeCase(
        .untagged(.condition(StatusResponse(.ok, code: .permanentFlags([.deleted, .seen, .wildcard]), "Limited"))),
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited"),
    EncodeCase(.untagged(.condition(StatusResponse(.bye, "Autologout; idle for too long"))), "* BYE Autologout; idle for too long"),
    EncodeCase(.untagged(.condition(StatusResponse(.preauth, "IMAP4rev2 server logged in as Smith"))), "* PREAUTH IMAP4rev2 server logged in as Smith"),
    EncodeCase(
        .tagged(tag: "A003", StatusResponse(.ok, code: .appendUID(uidValidity: 38505, uids: .ranges([SequenceRange(.number(3955))])), "APPEND completed")),
        "A003 OK [APPENDUID 38505 3955] APPEND completed"),
    EncodeCase(
        .tagged(tag: "A004", StatusResponse(.ok, code: .copyUID(
            uidValidity: 38505, source: .ranges([SequenceRange(.number(304)), SequenceRange(.number(319), .number(320))]),
            destination: .ranges([SequenceRange(.number(3956), .number(3958))])), "Done")),
        "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.no, code: .authenticationFailed, "Authentication failed")), "a NO [AUTHENTICATIONFAILED] Authentication failed"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.no, code: .overQuota, "Quota")), "a NO [OVERQUOTA] Quota"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.bad, code: .tooBig, "Literal too large")), "a BAD [TOOBIG] Literal too large"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.no, code: .badCharset(["UTF-8"]), "x")), "a NO [BADCHARSET (UTF-8)] x"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.ok, code: .highestModificationSequence(715_194_045_007), "x")), "a OK [HIGHESTMODSEQ 715194045007] x"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.ok, code: .modified(.ranges([SequenceRange(.number(7)), SequenceRange(.number(9))])), "x")), "a OK [MODIFIED 7,9] x"),
    EncodeCase(.tagged(tag: "a", StatusResponse(.ok, code: .other(name: "X-CODE", text: "a]b"), "x")), "a OK [X-CODE ab] x"),
    EncodeCase(.untagged(.condition(StatusResponse(.ok, code: .capability(["IMAP4rev2", "IDLE"]), "ready"))), "* OK [CAPABILITY IMAP4rev2 IDLE] ready"),
    EncodeCase(.untagged(.capability(["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"])), "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED"),
    EncodeCase(.untagged(.enabled(["CONDSTORE", "QRESYNC"])), "* ENABLED CONDSTORE QRESYNC"),
    EncodeCase(.untagged(.exists(172)), "* 172 EXISTS"),
    EncodeCase(.untagged(.recent(1)), "* 1 RECENT"),
    EncodeCase(.untagged(.expunge(44)), "* 44 EXPUNGE"),
    EncodeCase(.untagged(.vanished(earlier: true, .ranges([SequenceRange(.number(41)), SequenceRange(.number(43), .number(116))]))), "* VANISHED (EARLIER) 41,43:116"),
    EncodeCase(.untagged(.vanished(earlier: false, .ranges([SequenceRange(.number(405))]))), "* VANISHED 405"),
    EncodeCase(.untagged(.flags([.answered, .flagged, .deleted, .seen, .draft])), "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"),
    EncodeCase(.untagged(.list(ListResponse(attributes: ["\\Noselect"], delimiter: "/", mailbox: MailboxName("~/Mail/foo")))), "* LIST (\\Noselect) \"/\" ~/Mail/foo"),
    EncodeCase(.untagged(.list(ListResponse(attributes: [], delimiter: nil, mailbox: MailboxName("")))), "* LIST () NIL \"\""),
    EncodeCase(.untagged(.list(ListResponse(attributes: ["\\HasNoChildren"], delimiter: ".", mailbox: MailboxName("Foo Bar")))), "* LIST (\\HasNoChildren) \".\" \"Foo Bar\""),
    EncodeCase(.untagged(.list(ListResponse(attributes: [], delimiter: "\\", mailbox: .inbox))), "* LIST () \"\\\\\" INBOX"),
    EncodeCase(
        .untagged(.list(ListResponse(attributes: ["\\Subscribed"], delimiter: "/", mailbox: MailboxName("Foo"),
            extendedItems: [ExtensionParameter(name: "CHILDINFO", value: .list([.string("SUBSCRIBED")]))]))),
        "* LIST (\\Subscribed) \"/\" Foo (CHILDINFO (\"SUBSCRIBED\"))"),
    EncodeCase(.untagged(.lsub(ListResponse(attributes: [], delimiter: ".", mailbox: MailboxName("#news.comp.mail.mime")))), "* LSUB () \".\" #news.comp.mail.mime"),
    EncodeCase(.untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: MailboxName("台北")))), "* LIST () \"/\" {6}\r\n台北"),
    EncodeCase(.untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: MailboxName("台北")))), "* LIST () \"/\" \"台北\"", utf8: true),
    EncodeCase(.untagged(.status(MailboxName("blurdybloop"), [.messages(231), .uidNext(44292)])), "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)"),
    EncodeCase(
        .untagged(.status(.inbox, [.uidValidity(1), .unseen(2), .deleted(3), .size(44_000_000_000), .recent(0), .highestModificationSequence(9), .appendLimit(nil), .appendLimit(10)])),
        "* STATUS INBOX (UIDVALIDITY 1 UNSEEN 2 DELETED 3 SIZE 44000000000 RECENT 0 HIGHESTMODSEQ 9 APPENDLIMIT NIL APPENDLIMIT 10)"),
    EncodeCase(.untagged(.search([2, 84, 882], modificationSequence: nil)), "* SEARCH 2 84 882"),
    EncodeCase(.untagged(.search([], modificationSequence: 5)), "* SEARCH"),
    EncodeCase(.untagged(.search([2, 5, 6], modificationSequence: 917_162_500)), "* SEARCH 2 5 6 (MODSEQ 917162500)"),
    EncodeCase(
        .untagged(.esearch(ESearchResponse(correlator: "A285", byUID: true, items: [.min(7), .max(3800)]))),
        "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800"),
    EncodeCase(
        .untagged(.esearch(ESearchResponse(correlator: "A284", byUID: false, items: [
            .count(5), .all(.ranges([SequenceRange(.number(1), .number(3)), SequenceRange(.number(5))])), .modificationSequence(9),
        ]))),
        "* ESEARCH (TAG \"A284\") COUNT 5 ALL 1:3,5 MODSEQ 9"),
    EncodeCase(.untagged(.esearch(ESearchResponse(correlator: nil, byUID: false, items: []))), "* ESEARCH"),
    EncodeCase(
        .untagged(.namespace(NamespaceResponse(personal: [NamespaceDescription(prefix: "", delimiter: "/")], otherUsers: nil, shared: nil))),
        "* NAMESPACE ((\"\" \"/\")) NIL NIL"),
    EncodeCase(
        .untagged(.namespace(NamespaceResponse(
            personal: [NamespaceDescription(prefix: "", delimiter: "/")],
            otherUsers: [NamespaceDescription(prefix: "~", delimiter: "/")],
            shared: [NamespaceDescription(prefix: "#shared/", delimiter: "/"), NamespaceDescription(prefix: "#public/", delimiter: "/")]))),
        "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))"),
    EncodeCase(.untagged(.id([IDField(key: "name", value: "Mailshard"), IDField(key: "support-url", value: nil)])), "* ID (\"name\" \"Mailshard\" \"support-url\" NIL)"),
    EncodeCase(.untagged(.id(nil)), "* ID NIL"),
    EncodeCase(.continuation(.text(ResponseText(text: "Ready for literal data"))), "+ Ready for literal data"),
    EncodeCase(.continuation(.base64("")), "+ "),
    EncodeCase(.continuation(.base64("YGgGCSqGSIb3EgECAgIBAAD/////")), "+ YGgGCSqGSIb3EgECAgIBAAD/////"),
    EncodeCase(.untagged(.fetch(12, [.flags([.seen]), .uid(4827313)])), "* 12 FETCH (FLAGS (\\Seen) UID 4827313)"),
    EncodeCase(.untagged(.fetch(1, [.internalDate(dateTime), .rfc822Size(44827)])), "* 1 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 44827)"),
    EncodeCase(.untagged(.fetch(1, [.modificationSequence(624_140_003)])), "* 1 FETCH (MODSEQ (624140003))"),
    EncodeCase(
        .untagged(.fetch(1, [.envelope(PreEncodedBytes(Array("(NIL \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL)".utf8))),
            .bodyStructure(PreEncodedBytes(Array("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1)".utf8)))])),
        "* 1 FETCH (ENVELOPE (NIL \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1))"),
    EncodeCase(.untagged(.fetch(1, [.body(PreEncodedBytes(Array("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1)".utf8)))])), "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1))"),
    EncodeCase(.untagged(.fetch(2, [.bodySection(.whole, origin: nil, .bytes(Array("abc".utf8)))])), "* 2 FETCH (BODY[] {3}\r\nabc)"),
    EncodeCase(.untagged(.fetch(2, [.bodySection(SectionSpecifier(part: [1, 2], text: .mime), origin: 10, .none)])), "* 2 FETCH (BODY[1.2.MIME]<10> NIL)"),
    EncodeCase(
        .untagged(.fetch(2, [.bodySection(SectionSpecifier(text: .headerFields(["DATE", "X]Y"])), origin: nil, .bytes([]))])),
        "* 2 FETCH (BODY[HEADER.FIELDS (DATE \"X]Y\")] {0}\r\n)"),
    EncodeCase(.untagged(.fetch(2, [.bodySection(SectionSpecifier(part: [3], text: .headerFieldsNot(["A"])), origin: nil, .none)])), "* 2 FETCH (BODY[3.HEADER.FIELDS.NOT (A)] NIL)"),
    EncodeCase(.untagged(.fetch(2, [.binary(part: [1], origin: nil, .bytes([0x61, 0, 0x62]), literal8: true)])), "* 2 FETCH (BINARY[1] ~{3}\r\na\0b)"),
    EncodeCase(.untagged(.fetch(2, [.binarySize(part: [1, 2], 42)])), "* 2 FETCH (BINARY.SIZE[1.2] 42)"),
    EncodeCase(.untagged(.fetch(2, [.rfc822Header(.bytes(Array("A: b\r\n\r\n".utf8))), .rfc822Text(.none), .rfc822(.none)])), "* 2 FETCH (RFC822.HEADER {8}\r\nA: b\r\n\r\n RFC822.TEXT NIL RFC822 NIL)"),
]

@Suite("ResponseEncoder")
struct ResponseEncoderTests {
    @Test(arguments: encodeCases)
    func encodes(_ testCase: EncodeCase) {
        var buffer = ResponseBuffer()
        ResponseEncoder(utf8Enabled: testCase.utf8).encode(testCase.response, into: &buffer)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == testCase.wire + "\r\n")
        #expect(buffer.splices.isEmpty)
    }

    /// A body held in a file is a literal header plus a splice: its bytes never enter the buffer.
    @Test func externalBodyIsSpliced() {
        var buffer = ResponseBuffer()
        let body = ExternalBytes(source: 7, offset: 4096, count: 1_000_000)
        ResponseEncoder().encode(.untagged(.fetch(3, [.uid(9), .bodySection(.whole, origin: nil, .external(body)), .flags([.seen])])), into: &buffer)
        ResponseEncoder().encode(.tagged(tag: "a1", StatusResponse(.ok, "FETCH completed")), into: &buffer)
        var segments: [ResponseBuffer.Segment] = []
        buffer.forEachSegment { segments.append($0) }
        #expect(segments.count == 3)
        #expect(segments[0] == .bytes(Array(wire: "* 3 FETCH (UID 9 BODY[] {1000000}\r\n")[...]))
        #expect(segments[1] == .external(body))
        if case .bytes(let rest) = segments[2] {
            #expect(String(decoding: rest, as: UTF8.self) == " FLAGS (\\Seen))\r\na1 OK FETCH completed\r\n")
        } else {
            Issue.record("expected bytes after the splice")
        }
        #expect(buffer.wireByteCount == buffer.bytes.count + 1_000_000)
        buffer.removeAll()
        #expect(buffer.bytes.isEmpty && buffer.splices.isEmpty)
    }

    /// Strings take the shortest form their bytes allow.
    @Test(arguments: [
        ("INBOX", false, "INBOX"), ("a]b", false, "a]b"), ("", false, "\"\""), ("a b", false, "\"a b\""),
        ("a\"b", false, "\"a\\\"b\""), ("a\\b", false, "\"a\\\\b\""), ("a(b", false, "\"a(b\""), ("a%", false, "\"a%\""),
        ("line\nbreak", false, "{10}\r\nline\nbreak"), ("ü", false, "{2}\r\nü"), ("ü", true, "\"ü\""),
        (String(repeating: "x y", count: 400), true, "{1200}\r\n" + String(repeating: "x y", count: 400)),
    ])
    func stringForms(_ text: String, _ utf8: Bool, _ expected: String) {
        var buffer = ResponseBuffer()
        buffer.writeString(text, rule: .astring, utf8: utf8)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test func quotedStringsAreNeverAtoms() {
        var buffer = ResponseBuffer()
        buffer.writeString("NIL", rule: .string, utf8: false)
        buffer.writeNString(nil, utf8: false)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "\"NIL\"NIL")
    }

    @Test func numbersAtTheirLimits() {
        var buffer = ResponseBuffer()
        buffer.writeNumber(0 as UInt32)
        buffer.write(0x20)
        buffer.writeNumber(UInt32.max)
        buffer.write(0x20)
        buffer.writeNumber(UInt64(Int64.max))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "0 4294967295 9223372036854775807")
    }
}

@Suite("Error responses")
struct ErrorResponseTests {
    private func wire(_ response: Response) -> String {
        var buffer = ResponseBuffer()
        ResponseEncoder().encode(response, into: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test func framingErrors() {
        #expect(wire(FramingError(kind: .literalTooLarge, tag: "a1", isFatal: false).response) == "a1 NO [TOOBIG] Literal too large\r\n")
        #expect(wire(FramingError(kind: .commandTooLarge, tag: "a1", isFatal: false).response) == "a1 BAD [TOOBIG] Command too large\r\n")
        #expect(wire(FramingError(kind: .lineTooLong, tag: nil, isFatal: false).response) == "* BAD Command line too long\r\n")
        #expect(wire(FramingError(kind: .literalTooLarge, tag: "a1", isFatal: true).response) == "* BYE [TOOBIG] Literal too large\r\n")
    }

    @Test func parseErrors() throws {
        #expect(wire(CommandParseError(tag: "a2", reason: "expected a space").response) == "a2 BAD expected a space\r\n")
        #expect(wire(CommandParseError(tag: nil, reason: "missing or invalid tag").response) == "* BAD missing or invalid tag\r\n")
        let unknown = try CommandParser.parseCommand(Array(wire: "a3 XYZZY\r\n")[...])
        #expect(unknown.unknownCommandResponse.map(wire) == "a3 BAD Unknown command XYZZY\r\n")
        #expect(TaggedCommand(tag: "a4", command: .noop).unknownCommandResponse == nil)
    }
}

@Suite("Dates out of range")
struct DateRangeTests {
    /// A date the server got wrong still has the grammar's digit counts, and never traps.
    @Test func outOfRangeFieldsAreClamped() {
        var buffer = ResponseBuffer()
        let odd = IMAPDateTime(date: IMAPDate(year: -5, month: 13, day: 0), hour: -1, minute: 75, second: 0, zoneMinutes: -100_000)
        ResponseEncoder().encode(.untagged(.fetch(1, [.internalDate(odd)])), into: &buffer)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "* 1 FETCH (INTERNALDATE \"00-Dec-0000 00:75:00 -9940\")\r\n")
    }
}
