import MIME
import Testing

/// BODY[section]<partial> over the hand-built corpus, expected bytes by hand.
@Suite struct SectionRangeTests {
    struct Case: CustomStringConvertible, Sendable {
        var message: CorpusMessage
        var section: SectionSpec
        var partial: Partial?
        var expected: String
        var description: String { "\(message.name) \(section) \(String(describing: partial))" }
    }

    static let cases: [Case] = [
        Case(message: Corpus.mixed, section: SectionSpec(part: [1]), expected: "See attached."),
        Case(message: Corpus.mixed, section: SectionSpec(part: [2]), expected: "SGVsbG8h"),
        Case(message: Corpus.mixed, section: SectionSpec(part: [1], text: .mime),
             expected: "Content-Type: text/plain\r\n\r\n"),
        Case(message: Corpus.mixed, section: SectionSpec(text: .headerFields(["SUBJECT", "to"])),
             expected: "To: undisclosed-recipients:;\r\nSubject: Report\r\n\r\n"),
        Case(message: Corpus.mixed, section: SectionSpec(text: .headerFields(["subject"])),
             partial: Partial(offset: 9, count: 4), expected: "Repo"),
        Case(message: Corpus.mixed, section: SectionSpec(text: .text), partial: Partial(offset: 0, count: 19),
             expected: "This is a preamble."),
        Case(message: Corpus.mixed, section: SectionSpec(), partial: Partial(offset: 100_000, count: 5), expected: ""),
        Case(message: Corpus.nested, section: SectionSpec(part: [2], text: .header),
             expected: "From: inner@example.com\r\nSubject: inner\r\nMessage-ID: <inner@example.com>\r\n\r\n"),
        Case(message: Corpus.nested, section: SectionSpec(part: [2], text: .text), expected: "Inner body\r\nline 2"),
        Case(message: Corpus.nested, section: SectionSpec(part: [2, 1]), expected: "Inner body\r\nline 2"),
        Case(message: Corpus.nested, section: SectionSpec(part: [2], text: .headerFieldsNot(["from", "message-id"])),
             expected: "Subject: inner\r\n\r\n"),
        Case(message: Corpus.nested, section: SectionSpec(part: [2], text: .mime),
             expected: "Content-Type: message/rfc822\r\n\r\n"),
        Case(message: Corpus.brokenBoundary, section: SectionSpec(part: [1, 1]), expected: "one"),
        Case(message: Corpus.brokenBoundary, section: SectionSpec(part: [1]),
             expected: "--B\r\nContent-Type: text/plain\r\n\r\none"),
        Case(message: Corpus.brokenBoundary, section: SectionSpec(part: [2]), expected: "two"),
        Case(message: Corpus.bareLF, section: SectionSpec(part: [1]), expected: "hi"),
        Case(message: Corpus.bareLF, section: SectionSpec(part: [1], text: .mime), expected: "\n"),
        Case(message: Corpus.noHeaders, section: SectionSpec(text: .header), expected: "\r\n"),
        Case(message: Corpus.simple, section: SectionSpec(part: [1]), expected: "Line one\r\nLine two\r\n"),
        Case(message: Corpus.truncatedHeader, section: SectionSpec(text: .headerFields(["subject"])),
             expected: "Subject: cut"),
        Case(message: Corpus.digest, section: SectionSpec(part: [1, 1]), expected: "b1"),
        Case(message: Corpus.digest, section: SectionSpec(part: [1], text: .header),
             expected: "From: m@x\r\nSubject: one\r\n\r\n"),
    ]

    @Test(arguments: cases)
    func sectionBytesMatch(_ test: Case) throws {
        let structure = MessageStructure(parsing: test.message.bytes)
        let bytes = test.message.bytes
        let ranges = try bytes.withUnsafeBytes { buffer in
            try structure.ranges(for: test.section, partial: test.partial, in: buffer)
        }
        let actual = ranges.ranges.flatMap { bytes[$0.offsets] }
        #expect(String(decoding: actual, as: UTF8.self) == test.expected)
        #expect(ranges.count == actual.count)
    }

    struct Failure: CustomStringConvertible, Sendable {
        var message: CorpusMessage
        var section: SectionSpec
        var error: SectionError
        var description: String { "\(message.name) \(section)" }
    }

    static let failures: [Failure] = [
        Failure(message: Corpus.mixed, section: SectionSpec(part: [3]), error: .noSuchPart),
        Failure(message: Corpus.mixed, section: SectionSpec(part: [0]), error: .noSuchPart),
        Failure(message: Corpus.mixed, section: SectionSpec(part: [1, 1, 1]), error: .noSuchPart),
        Failure(message: Corpus.mixed, section: SectionSpec(part: [1], text: .header), error: .notAMessage),
        Failure(message: Corpus.mixed, section: SectionSpec(text: .mime), error: .mimeNeedsPart),
        Failure(message: Corpus.simple, section: SectionSpec(part: [2]), error: .noSuchPart),
        Failure(message: Corpus.mixed, section: SectionSpec(part: [2, 1]), error: .noSuchPart),
    ]

    @Test(arguments: failures)
    func invalidSectionsThrow(_ test: Failure) {
        let structure = MessageStructure(parsing: test.message.bytes)
        test.message.bytes.withUnsafeBytes { buffer in
            _ = #expect(throws: test.error) { try structure.ranges(for: test.section, in: buffer) }
        }
    }

    @Test func partialSpansSeveralFieldRanges() {
        let ranges = SectionRanges([ByteRange(start: 0, end: 4), ByteRange(start: 10, end: 14), ByteRange(start: 20, end: 22)])
        #expect(ranges.applying(Partial(offset: 3, count: 4)).ranges == [ByteRange(start: 3, end: 4), ByteRange(start: 10, end: 13)])
        #expect(ranges.applying(Partial(offset: 9, count: 100)).ranges == [ByteRange(start: 21, end: 22)])
        #expect(ranges.applying(Partial(offset: 10, count: 1)).count == 0)
    }

    @Test func adjacentFieldsMergeIntoOneRange() {
        let ranges = SectionRanges([ByteRange(start: 0, end: 4), ByteRange(start: 4, end: 9)])
        #expect(ranges.ranges == [ByteRange(start: 0, end: 9)])
    }
}
