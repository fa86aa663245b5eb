import IMAPCodec
import Testing
@testable import LoadCore

@Suite("Header FETCH fast lane")
struct HeaderFetchReceiverTests {
    typealias T = HeaderFetchTranscript

    /// Dovecot 2.3 answers with the items in Mailshard's order, `UID n FLAGS (…) BODY[…] {n}`
    /// (captured on this machine); only its completion text differs.
    static let dovecot = T.complete(4).replacingOccurrences(of: "a1 OK Fetch completed.", with: "a1 OK Fetch completed (0.001 + 0.000 secs).")

    @Test func aWellFormedAnswerIsTakenWithoutTheParserButForItsCompletion() {
        let read = fastLane(T.complete(5), exists: 5, pieces: [])
        #expect(read.outcome == .bytes(T.headerBytes(5)))
        #expect(read.recognized == 5)
        #expect(read.handedOver == 1)
        #expect(read.left.isEmpty)
    }

    @Test func everySplitInTwoGivesTheSameVerdict() {
        let text = T.complete(3)
        for split in 1..<text.utf8.count {
            let read = fastLane(text, exists: 3, pieces: [split])
            #expect(read.outcome == .bytes(T.headerBytes(3)), "split at \(split)")
            #expect(read.recognized == 3, "split at \(split)")
        }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 299, 4096])
    func fixedPiecesGiveTheSameVerdict(piece: Int) {
        let read = fastLane(T.complete(20), exists: 20, pieces: [piece])
        #expect(read.outcome == .bytes(T.headerBytes(20)))
        #expect(read.recognized == 20)
    }

    @Test func randomPiecesGiveTheSameVerdict() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let pieces = (0..<16).map { _ in 1 + Int(random.next(upperBound: UInt64(400))) }
            #expect(fastLane(Self.dovecot, exists: 4, pieces: pieces).outcome == .bytes(T.headerBytes(4)), "pieces \(pieces)")
        }
    }

    /// A buffer smaller than one response: the generic reader takes the rest, and the
    /// verdict does not change.
    @Test(arguments: [64, 200, 400])
    func aResponseLargerThanTheBufferGoesToTheGenericReader(capacity: Int) {
        let read = fastLane(T.complete(6), exists: 6, pieces: [13, 500], capacity: capacity)
        #expect(read.outcome == .bytes(T.headerBytes(6)))
    }

    @Test func bytesAfterTheCompletionStayForTheNextCommand() {
        let read = fastLane(T.complete(2) + "* 3 EXISTS\r\na2 OK noop\r\n", exists: 2, pieces: [])
        #expect(read.outcome == .bytes(T.headerBytes(2)))
        #expect(read.left.count == 2)
    }

    /// Answers the fast lane must not count, with what the generic reader says of each.
    @Test(arguments: [
        ("missing UID", T.answer(1) + "* 2 FETCH (FLAGS (\\Seen) \(T.section) \(T.literal(T.header(2))))\r\na1 OK done\r\n", 2, "invalid FETCH"),
        ("missing FLAGS", T.answer(1) + "* 2 FETCH (UID 2 \(T.section) \(T.literal(T.header(2))))\r\na1 OK done\r\n", 2, "invalid FETCH"),
        ("missing header", T.answer(1) + "* 2 FETCH (UID 2 FLAGS ())\r\na1 OK done\r\n", 2, "invalid FETCH"),
        ("NIL header", T.answer(1) + "* 2 FETCH (UID 2 FLAGS () \(T.section) NIL)\r\na1 OK done\r\n", 2, "invalid FETCH"),
        ("empty header", T.answer(1) + "* 2 FETCH (UID 2 FLAGS () \(T.section) {2}\r\n\r\n)\r\na1 OK done\r\n", 2, "invalid FETCH"),
        ("literal one short", T.answer(1) + "* 2 FETCH (UID 2 FLAGS () \(T.section) {\(T.header(2).utf8.count + 1)}\r\n\(T.header(2)))\r\na1 OK done\r\n", 2, "parse"),
        ("literal one long", T.answer(1) + "* 2 FETCH (UID 2 FLAGS () \(T.section) {\(T.header(2).utf8.count - 1)}\r\n\(T.header(2)))\r\na1 OK done\r\n", 2, "parse"),
        ("message twice", T.answer(1) + T.answer(1) + "a1 OK done\r\n", 2, "invalid FETCH"),
        ("a number skipped", T.answer(1) + T.answer(3) + "a1 OK done\r\n", 3, "invalid FETCH"),
        ("beyond EXISTS", T.answer(1) + T.answer(2) + T.answer(3) + "a1 OK done\r\n", 2, "invalid FETCH"),
        ("message zero", "* 0 FETCH (UID 1 FLAGS () \(T.section) \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1, "invalid FETCH"),
        ("one short", T.complete(3), 4, "invalid FETCH"),
        ("tagged NO", T.answer(1) + "a1 NO [SERVERBUG] broken\r\n", 1, "NO FETCH"),
        ("BYE", T.answer(1) + "* BYE shutting down\r\n", 1, "BYE"),
        ("other tag", T.answer(1) + "a0 OK done\r\n", 1, "protocol"),
        ("truncated in a literal", String(T.complete(2).dropLast(60)), 2, "closed"),
        ("truncated before the completion", T.answer(1) + T.answer(2), 2, "closed"),
        ("garbage", T.answer(1) + "* 2 FETCH (UID 2 FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM)] x)\r\na1 OK done\r\n", 2, "parse"),
    ])
    func malformedAnswersAreErrorsBothWays(name: String, text: String, exists: UInt32, kind: String) {
        for pieces in [[], [1], [5, 11]] {
            #expect(fastLane(text, exists: exists, pieces: pieces).outcome == .failure(kind), "\(name), pieces \(pieces)")
        }
        if kind != "closed" { #expect(genericReading(text, exists: exists) == .failure(kind), "\(name)") }
    }

    /// Well-formed answers in shapes the fast lane leaves to the generic reader, or takes
    /// itself: both readers agree on every one.
    @Test(arguments: [
        ("Mailshard order", T.complete(3), 3),
        ("Dovecot completion", Self.dovecot, 4),
        ("FLAGS first", "* 1 FETCH (FLAGS (\\Seen \\Flagged) UID 1 \(T.section) \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1),
        ("header first", "* 1 FETCH (\(T.section) \(T.literal(T.header(1))) UID 9 FLAGS ())\r\na1 OK done\r\n", 1),
        ("reordered messages", T.answer(2) + T.answer(1) + "a1 OK done\r\n", 2),
        ("keywords and Recent", T.answer(1, flags: "\\Seen \\Recent $Forwarded NonJunk") + "a1 OK done\r\n", 1),
        ("STORE from another session", T.answer(1) + "* 1 FETCH (FLAGS (\\Deleted))\r\n" + T.answer(2) + "a1 OK done\r\n", 2),
        ("EXISTS between", T.answer(1) + "* 3 EXISTS\r\n" + T.answer(2) + "a1 OK done\r\n", 2),
        ("lower case", "* 1 fetch (uid 1 flags (\\Seen) body[header.fields (from)] \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1),
        ("leading zeros", "* 01 FETCH (UID 007 FLAGS () \(T.section) \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1),
        ("quoted header", "* 1 FETCH (UID 1 FLAGS () \(T.section) \"From: a\")\r\na1 OK done\r\n", 1),
        ("origin", "* 1 FETCH (UID 1 FLAGS () BODY[HEADER.FIELDS (FROM)]<0> \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1),
        ("MODSEQ too", "* 1 FETCH (UID 1 MODSEQ (5) FLAGS () \(T.section) \(T.literal(T.header(1))))\r\na1 OK done\r\n", 1),
        ("bare LF", "* 1 FETCH (UID 1 FLAGS () \(T.section) {\(T.header(1).utf8.count)}\n\(T.header(1)))\na1 OK done\n", 1),
    ])
    func bothReadersAgree(name: String, text: String, exists: UInt32) {
        let generic = genericReading(text, exists: exists)
        for pieces in [[], [1], [3, 17]] {
            #expect(fastLane(text, exists: exists, pieces: pieces).outcome == generic, "\(name), pieces \(pieces): generic \(generic)")
        }
    }

    /// Each response the scanner recognizes parses into a FETCH with the same number,
    /// UID, FLAGS and header size; each it refuses is left alone.
    @Test(arguments: [
        (T.answer(1), true),
        (T.answer(4_294_967_295, flags: "\\Seen \\Answered \\Flagged"), true),
        ("* 1 FETCH (FLAGS () \(T.section) \(T.literal(T.header(1))) UID 1)\r\n", true),
        ("* 1 FETCH (UID 1 FLAGS () \(T.section) \(T.literal(T.header(1))) UID 1)\r\n", false),
        ("* 1 FETCH (UID 1 FLAGS () \(T.section) \(T.literal(T.header(1))))\r\n", true),
        ("* 1 FETCH (UID 1 FLAGS (\\) \(T.section) \(T.literal(T.header(1))))\r\n", false),
        ("* 4294967296 FETCH (UID 1 FLAGS () \(T.section) \(T.literal(T.header(1))))\r\n", false),
        ("* 1 FETCH (UID 1 FLAGS ()  \(T.section) \(T.literal(T.header(1))))\r\n", false),
        ("* 1 FETCH (UID 1 FLAGS () \(T.section) {3}\r\nab\n)\r\n", true),
        ("* 1 FETCH (UID 1 FLAGS () \(T.section) \(T.literal(T.header(1)))) \r\n", false),
        ("* 1 EXISTS\r\n", false),
    ])
    func recognizedResponsesParseAlike(text: String, recognized: Bool) throws {
        let bytes = Array(text.utf8)
        let answer = bytes.withUnsafeBytes { HeaderFetchScanner.recognize($0, from: 0, to: $0.count) }
        #expect((answer != nil) == recognized)
        guard let answer else { return }
        var framer = CommandFramer()
        framer.append(bytes)
        var frame: ArraySlice<UInt8>?
        while let event = framer.nextEvent() { if case .command(let bytes) = event { frame = bytes } }
        guard let frame, case .untagged(.fetch(let number, let items)) = try ResponseParser.parseResponse(frame) else {
            Issue.record("not a FETCH to the parser")
            return
        }
        #expect(number == answer.number)
        #expect(items.contains { if case .uid = $0 { true } else { false } })
        #expect(items.contains { if case .flags = $0 { true } else { false } })
        let sizes = items.compactMap { item -> Int? in
            guard case .bodySection(let section, nil, .bytes(let content)) = item, case .headerFields = section.text else { return nil }
            return content.count
        }
        #expect(sizes == [answer.headerBytes])
    }

    @Test func extentsFollowLiteralsAndWaitForWholeResponses() {
        let text = Array("* 1 FETCH (X {3}\r\nab\n)\r\n* 2 EXISTS\r\n".utf8)
        text.withUnsafeBytes { bytes in
            #expect(ResponseExtent.find(in: bytes, from: 0, maximumLiteral: 100) == .complete(end: 24))
            #expect(ResponseExtent.find(in: bytes, from: 24, maximumLiteral: 100) == .complete(end: text.count))
            #expect(ResponseExtent.find(in: bytes, from: 0, maximumLiteral: 2) == .oversized)
            for end in 1..<24 {
                #expect(ResponseExtent.find(in: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), from: 0, maximumLiteral: 100) == .incomplete)
            }
        }
    }
}
