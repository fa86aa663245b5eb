import IMAPCodec
import MailStore
import Testing
@testable import IMAPServer

@Suite struct FetchResponderTests {
    /// Held by the suite instance (one per test) so the store outlives every use.
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    /// Appends `bytes` and returns everything a FETCH needs for it.
    private func stored(_ bytes: [UInt8], flags: MessageFlags = MessageFlags())
        async throws -> (MailboxView.Message, MessageFile)
    {
        let inbox = try await scratch.inbox()
        let date = InternalDate(secondsSinceEpoch: 1_057_049_557, zoneMinutes: 120) // 2003-07-01 10:52:37 +0200
        let uid = try await inbox.append([NewMessage(bytes, flags: flags, internalDate: date)])[0]
        let message = try #require(inbox.view().message(uid: uid))
        return (message, try inbox.openMessage(uid: uid))
    }

    private func fetchLine(
        _ attributes: [FetchAttribute], _ message: MailboxView.Message, _ file: MessageFile,
        byUID: Bool = false, responder: FetchResponder = FetchResponder()
    ) throws -> String {
        let items = try responder.items(for: attributes, message: message, file: file, byUID: byUID)
        return wire(.fetch(UInt32(message.sequenceNumber), items), files: [message.uid: file])
    }

    @Test func indexItemsAndMacros() async throws {
        let (message, file) = try await stored(plainMessage, flags: MessageFlags(.seen, keywords: ["$Work"]))
        #expect(try fetchLine(FetchAttribute.fast, message, file) ==
            "* 1 FETCH (FLAGS (\\Seen $Work) INTERNALDATE \"01-Jul-2003 10:52:37 +0200\" RFC822.SIZE \(plainMessage.count))\r\n")
        #expect(try fetchLine([.flags], message, file, byUID: true) == "* 1 FETCH (UID 1 FLAGS (\\Seen $Work))\r\n")
        #expect(try fetchLine([.modificationSequence], message, file) == "* 1 FETCH (MODSEQ (\(message.modSeq)))\r\n")
    }

    @Test func envelopeAndBodyStructureComeFromTheCache() async throws {
        let (message, file) = try await stored(plainMessage)
        let line = try fetchLine([.envelope], message, file)
        #expect(line == "* 1 FETCH (ENVELOPE (\"Tue, 1 Jul 2003 10:52:37 +0200\" \"Hello\" "
            + "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) "
            + "((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.com\")) NIL NIL NIL NIL))\r\n")
        let structure = try fetchLine([.bodyStructure], message, file)
        #expect(structure == "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 9 1 NIL NIL NIL NIL))\r\n")
    }

    @Test func bodySectionsOfAMultipart() async throws {
        let (message, file) = try await stored(multipartMessage)
        #expect(try fetchLine([.bodySection(SectionSpecifier(part: [1]), partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BODY[1] {7}\r\nGr\u{00FC}\u{00DF}e)\r\n")
        #expect(try fetchLine([.bodySection(SectionSpecifier(part: [2], text: .mime), partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BODY[2.MIME] {77}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n)\r\n")
        #expect(try fetchLine(
            [.bodySection(SectionSpecifier(text: .headerFields(["Subject", "From"])), partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BODY[HEADER.FIELDS (Subject From)] {52}\r\nFrom: Alice <alice@example.com>\r\nSubject: Report\r\n\r\n)\r\n")
        #expect(try fetchLine([.bodySection(SectionSpecifier(part: [9]), partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BODY[9] NIL)\r\n")
        #expect(try fetchLine([.bodySection(.whole, partial: PartialRange(offset: 6, count: 5), peek: true)], message, file)
            == "* 1 FETCH (BODY[]<6> {5}\r\nAlice)\r\n")
    }

    @Test func rfc822ItemsMatchTheirBodyEquivalents() async throws {
        let (message, file) = try await stored(plainMessage)
        #expect(try fetchLine([.rfc822Text], message, file) == "* 1 FETCH (RFC822.TEXT {9}\r\nHi Bob.\r\n)\r\n")
        let header = String(decoding: plainMessage.dropLast(9), as: UTF8.self)
        #expect(try fetchLine([.rfc822Header], message, file) == "* 1 FETCH (RFC822.HEADER {\(plainMessage.count - 9)}\r\n\(header))\r\n")
        #expect(try fetchLine([.rfc822], message, file)
            == "* 1 FETCH (RFC822 {\(plainMessage.count)}\r\n\(String(decoding: plainMessage, as: UTF8.self)))\r\n")
    }

    @Test func largeBodiesAreFileRangesNotCopies() async throws {
        var lines = ["Subject: big", ""]
        for number in 0..<4000 { lines.append("line \(number) of a large message with some text") }
        let big = crlf(lines)
        let (message, file) = try await stored(big)
        let items = try FetchResponder().items(
            for: [.bodySection(.whole, partial: nil, peek: false)], message: message, file: file, byUID: false)
        guard case let .bodySection(_, _, .external(external)) = items.first else {
            Issue.record("expected an external range, got \(items)")
            return
        }
        #expect(external == ExternalBytes(source: UInt64(message.uid), offset: 0, count: big.count))
        #expect(try fetchLine([.bodySection(.whole, partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BODY[] {\(big.count)}\r\n\(String(decoding: big, as: UTF8.self)))\r\n")
    }

    @Test func binaryDecodesAndUsesLiteral8ForNUL() async throws {
        let (message, file) = try await stored(multipartMessage)
        #expect(try fetchLine([.binary(part: [2], partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BINARY[2] ~{11}\r\nHello\0World)\r\n")
        #expect(try fetchLine([.binarySize(part: [2])], message, file) == "* 1 FETCH (BINARY.SIZE[2] 11)\r\n")
        #expect(try fetchLine([.binary(part: [2], partial: PartialRange(offset: 6, count: 100), peek: true)], message, file)
            == "* 1 FETCH (BINARY[2]<6> {5}\r\nWorld)\r\n")
        #expect(try fetchLine([.binary(part: [1], partial: nil, peek: true)], message, file)
            == "* 1 FETCH (BINARY[1] {7}\r\nGr\u{00FC}\u{00DF}e)\r\n")
        #expect(throws: MessageCommandError.unknownTransferEncoding) {
            try FetchResponder().items(for: [.binary(part: [3], partial: nil, peek: true)], message: message, file: file, byUID: false)
        }
    }

    @Test(arguments: [
        ([FetchAttribute.bodySection(.whole, partial: nil, peek: false)], true),
        ([.bodySection(.whole, partial: nil, peek: true)], false),
        ([.binary(part: [1], partial: nil, peek: false)], true),
        ([.rfc822], true), ([.rfc822Text], true), ([.rfc822Header], false),
        (FetchAttribute.full, false),
    ])
    func implicitSeen(attributes: [FetchAttribute], sets: Bool) {
        #expect(FetchResponder.setsSeen(attributes) == sets)
    }

    @Test func seenChangeAddsFlagsWhenNotAsked() async throws {
        let (message, file) = try await stored(plainMessage, flags: MessageFlags(.seen))
        let items = try FetchResponder().items(
            for: [.rfc822Text], message: message, file: file, byUID: false, seenChanged: true)
        #expect(wire(.fetch(1, items)) == "* 1 FETCH (RFC822.TEXT {9}\r\nHi Bob.\r\n FLAGS (\\Seen))\r\n")
    }

    @Test(arguments: [
        (Int64(0), Int16(0), "01-Jan-1970 00:00:00 +0000"),
        (Int64(951_782_400), Int16(-420), "28-Feb-2000 17:00:00 -0700"),
        (Int64(1_709_164_800), Int16(60), "29-Feb-2024 01:00:00 +0100"),
    ])
    func internalDatesRoundTrip(seconds: Int64, zone: Int16, expected: String) {
        let date = InternalDate(secondsSinceEpoch: seconds, zoneMinutes: zone)
        let line = wire(.fetch(1, [.internalDate(date.wireDateTime)]))
        #expect(line == "* 1 FETCH (INTERNALDATE \"\(expected)\")\r\n")
        #expect(InternalDate(date.wireDateTime) == date)
    }
}
