import Testing
@testable import IMAPCodec

/// A malformed command line and the tag the error must carry.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var wire: String
    var tag: String?

    init(_ wire: String, tag: String?) {
        self.wire = wire
        self.tag = tag
    }

    var testDescription: String { wire.debugDescription }
}

let malformedCases: [MalformedCase] = [
    MalformedCase("", tag: nil),
    MalformedCase(" NOOP", tag: nil),
    MalformedCase("a+b NOOP", tag: nil),
    MalformedCase("a1", tag: "a1"),
    MalformedCase("a1 ", tag: "a1"),
    MalformedCase("a1  NOOP", tag: "a1"),
    MalformedCase("a1 NOOP extra", tag: "a1"),
    MalformedCase("a1 CAPABILITY ", tag: "a1"),
    MalformedCase("a1 LOGIN alice", tag: "a1"),
    MalformedCase("a1 LOGIN \"alice bob", tag: "a1"),
    MalformedCase("a1 LOGIN \"a\\x\" b", tag: "a1"),
    MalformedCase("a1 LOGIN {5}\r\nabc", tag: "a1"),
    MalformedCase("a1 LOGIN {3}\r\na\0c b", tag: "a1"),
    MalformedCase("a1 SELECT", tag: "a1"),
    MalformedCase("a1 SELECT (INBOX)", tag: "a1"),
    MalformedCase("a1 SELECT INBOX (", tag: "a1"),
    MalformedCase("a1 SELECT INBOX (QRESYNC (0 1))", tag: "a1"),
    MalformedCase("a1 SELECT {2}\r\n\u{FF}\u{FE}", tag: "a1"),
    MalformedCase("a1 FETCH 0 FLAGS", tag: "a1"),
    MalformedCase("a1 FETCH 1:x FLAGS", tag: "a1"),
    MalformedCase("a1 FETCH 1 (FLAGS", tag: "a1"),
    MalformedCase("a1 FETCH 1 (BODY[HEADER.FIELDS])", tag: "a1"),
    MalformedCase("a1 FETCH 1 (BODY[1.])", tag: "a1"),
    MalformedCase("a1 FETCH 1 (BODY[MIME])", tag: "a1"),
    MalformedCase("a1 FETCH 1 (BODY[]<1.0>)", tag: "a1"),
    MalformedCase("a1 FETCH 1 (XYZ)", tag: "a1"),
    MalformedCase("a1 FETCH 4294967296 FLAGS", tag: "a1"),
    MalformedCase("a1 FETCH 1 FLAGS (CHANGEDSINCE 0)", tag: "a1"),
    MalformedCase("a1 STORE 1 FLAGS", tag: "a1"),
    MalformedCase("a1 STORE 1 +FLAG (\\Seen)", tag: "a1"),
    MalformedCase("a1 STORE 1 FLAGS (\\Seen", tag: "a1"),
    MalformedCase("a1 SEARCH", tag: "a1"),
    MalformedCase("a1 SEARCH FOO", tag: "a1"),
    MalformedCase("a1 SEARCH SINCE 1-Foo-2000", tag: "a1"),
    MalformedCase("a1 SEARCH SINCE 32-Jan-2000", tag: "a1"),
    MalformedCase("a1 SEARCH OR SEEN", tag: "a1"),
    MalformedCase("a1 SEARCH (SEEN", tag: "a1"),
    MalformedCase("a1 SEARCH " + String(repeating: "NOT ", count: 100) + "SEEN", tag: "a1"),
    MalformedCase("a1 SEARCH LARGER 99999999999999999999", tag: "a1"),
    MalformedCase("a1 STATUS INBOX (FOO)", tag: "a1"),
    MalformedCase("a1 STATUS INBOX ()", tag: "a1"),
    MalformedCase("a1 LIST (RECURSIVEMATCH) \"\" *", tag: "a1"),
    MalformedCase("a1 LIST \"\" * RETURN", tag: "a1"),
    MalformedCase("a1 APPEND INBOX", tag: "a1"),
    MalformedCase("a1 APPEND INBOX (\\Seen)", tag: "a1"),
    MalformedCase("a1 APPEND INBOX \"17-Jul-1996 25:44:25 -0700\" {1+}\r\nx", tag: "a1"),
    MalformedCase("a1 ENABLE", tag: "a1"),
    MalformedCase("a1 UID", tag: "a1"),
    MalformedCase("a1 UID NOOP", tag: "a1"),
    MalformedCase("a1 UID EXPUNGE", tag: "a1"),
    MalformedCase("a1 AUTHENTICATE", tag: "a1"),
    MalformedCase("a1 AUTHENTICATE PLAIN abc", tag: "a1"),
    MalformedCase("a1 ID (\"a\")", tag: "a1"),
    MalformedCase("a1 COPY 1", tag: "a1"),
]

@Suite("CommandParser errors")
struct CommandParserErrorTests {
    @Test(arguments: malformedCases)
    func rejectsWithTag(_ testCase: MalformedCase) {
        let frame = Array(wire: testCase.wire + "\r\n")
        #expect {
            _ = try CommandParser.parseCommand(frame[...])
        } throws: { error in
            guard let error = error as? CommandParseError else { return false }
            return error.tag == testCase.tag && !error.reason.isEmpty
        }
        #expect {
            _ = try frame.withUnsafeBytes { bytes in try CommandParser.parseCommand(bytes) }
        } throws: { error in
            guard let error = error as? CommandParseError else { return false }
            return error.tag == testCase.tag && !error.reason.isEmpty
        }
    }

    @Test func missingLineEndIsAnError() {
        #expect(throws: CommandParseError.self) { try CommandParser.parseCommand(Array(wire: "a1 NOOP")[...]) }
    }

    @Test func unknownCommandNamesItself() throws {
        let parsed = try CommandParser.parseCommand(Array(wire: "x9 FROBNICATE now\r\n")[...])
        #expect(parsed == TaggedCommand(tag: "x9", command: .unknown(name: "FROBNICATE")))
    }

    @Test func reasonNamesTheUnknownPart() {
        do {
            _ = try CommandParser.parseCommand(Array(wire: "a1 FETCH 1 (FLAGS XYZ)\r\n")[...])
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "unknown fetch item XYZ")
        }
    }
}

@Suite("AppendStreamParser")
struct AppendStreamParserTests {
    @Test func headOfAStreamedAppend() throws {
        let head = try AppendStreamParser.parseHead(
            Array(wire: "a1 APPEND Sent (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {100000}\r\n")[...], continuing: false)
        #expect(head.tag == "a1")
        #expect(head.mailbox == MailboxName("Sent"))
        #expect(head.completeMessages.isEmpty)
        #expect(head.streamedMessage.byteCount == 100_000)
        #expect(head.streamedMessage.options.flags == [.seen])
        #expect(head.streamedMessage.options.internalDate?.zoneMinutes == -420)
        #expect(!head.streamedMessage.isBinary)
    }

    @Test func continuingHeadWithACompleteMessageBeforeIt() throws {
        let head = try AppendStreamParser.parseHead(Array(wire: " {2+}\r\nhi (\\Draft) ~{70000+}\r\n")[...], continuing: true)
        #expect(head.tag == nil)
        #expect(head.completeMessages == [AppendMessage(options: AppendOptions(), data: Array("hi".utf8))])
        #expect(head.streamedMessage.options.flags == [.draft])
        #expect(head.streamedMessage.isBinary)
    }

    @Test func tail() throws {
        #expect(try AppendStreamParser.parseTail(Array(wire: "\r\n")[...]).isEmpty)
        #expect(try AppendStreamParser.parseTail(Array(wire: " {2+}\r\nhi\r\n")[...]).count == 1)
        #expect(throws: CommandParseError.self) { try AppendStreamParser.parseTail(Array(wire: " x\r\n")[...]) }
    }

    @Test func aHugeLiteralInAnotherCommandIsRefusedWithItsTag() {
        #expect {
            _ = try AppendStreamParser.parseHead(Array(wire: "a7 LOGIN {100000}\r\n")[...], continuing: false)
        } throws: { error in
            (error as? CommandParseError)?.tag == "a7"
        }
    }

    /// The framer's events for a streamed APPEND feed the stream parser end to end.
    @Test func framerAndStreamParserTogether() throws {
        let limits = FramingLimits(maximumBufferedLiteralSize: 8)
        let body = String(repeating: "b", count: 40)
        var framer = CommandFramer(limits: limits)
        framer.append(Array(wire: "a1 APPEND INBOX (\\Seen) {40+}\r\n" + body + " {3+}\r\nxyz\r\n"))
        var streamed: [UInt8] = []
        var head: AppendStreamHead?
        var tail: [AppendMessage]?
        while let event = framer.nextEvent() {
            switch event {
            case .streamedLiteralBegins(let bytes, _, let continuing, _):
                head = try AppendStreamParser.parseHead(bytes, continuing: continuing)
            case .streamedLiteralBytes(let bytes): streamed += bytes
            case .streamedCommandEnds(let bytes): tail = try AppendStreamParser.parseTail(bytes)
            case .streamedLiteralEnds: break
            default: Issue.record("unexpected \(event)")
            }
        }
        #expect(head?.mailbox == .inbox)
        #expect(head?.streamedMessage.byteCount == 40)
        #expect(streamed == Array(body.utf8))
        #expect(tail == [AppendMessage(options: AppendOptions(), data: Array("xyz".utf8))])
    }
}
