import Testing
@testable import IMAPCodec

/// One framing case: the input, the limits, and the events it must produce.
struct FramingCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var limits = FramingLimits()
    var expected: [RecordedEvent]

    init(name: String, limits: FramingLimits = FramingLimits(), input: String, expected: [RecordedEvent]) {
        self.name = name
        self.input = input
        self.limits = limits
        self.expected = expected
    }

    init(name: String, input: String, limits: FramingLimits, expected: [RecordedEvent]) {
        self.init(name: name, limits: limits, input: input, expected: expected)
    }

    var testDescription: String { name }
}

private let small = FramingLimits(
    maximumLineLength: 40, maximumLiteralSize: 100, maximumBufferedLiteralSize: 10, maximumBufferedCommandSize: 60)
private let smallMinus = FramingLimits(
    maximumLineLength: 40, maximumLiteralSize: 10_000, maximumBufferedLiteralSize: 10_000,
    maximumBufferedCommandSize: 20_000, nonSynchronizingLiterals: .literalMinus)

let framingCases: [FramingCase] = [
    FramingCase(name: "one command", input: "a1 NOOP\r\n", expected: [.command("a1 NOOP\r\n")]),
    FramingCase(
        name: "pipeline of commands", input: "a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n",
        expected: [.command("a1 NOOP\r\n"), .command("a2 CAPABILITY\r\n"), .command("a3 LOGOUT\r\n")]),
    FramingCase(name: "bare LF ends a line", input: "a1 NOOP\n", expected: [.command("a1 NOOP\n")]),
    FramingCase(name: "incomplete line waits", input: "a1 NOO", expected: []),
    FramingCase(
        name: "synchronizing literal asks for continuation",
        input: "a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n",
        expected: [.continuation, .continuation, .command("a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n")]),
    FramingCase(
        name: "LITERAL+ needs no continuation", input: "a1 LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n",
        expected: [.command("a1 LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n")]),
    FramingCase(
        name: "literal bytes are not scanned for line ends", input: "a1 LOGIN {4+}\r\na\r\nb x\r\n",
        expected: [.command("a1 LOGIN {4+}\r\na\r\nb x\r\n")]),
    FramingCase(
        name: "literal ending in a literal-like header", input: "a1 LOGIN {5+}\r\n{1}\r\n x\r\n",
        expected: [.command("a1 LOGIN {5+}\r\n{1}\r\n x\r\n")]),
    FramingCase(
        name: "binary literal8", input: "a1 APPEND INBOX ~{3+}\r\na\0b\r\n",
        expected: [.command("a1 APPEND INBOX ~{3+}\r\na\0b\r\n")]),
    FramingCase(
        name: "zero-length literal", input: "a1 LOGIN {0+}\r\n x\r\n", expected: [.command("a1 LOGIN {0+}\r\n x\r\n")]),
    FramingCase(
        name: "braces not at a line end are not literals", input: "a1 SELECT {5}x\r\n",
        expected: [.command("a1 SELECT {5}x\r\n")]),
    FramingCase(
        name: "large literal is streamed", input: "a1 APPEND INBOX {12}\r\nhello, world\r\n", limits: small,
        expected: [
            .streamBegins(head: "a1 APPEND INBOX {12}\r\n", byteCount: 12, continuing: false, synchronizing: true),
            .streamBytes(Array("hello, world".utf8)), .streamEnds, .streamTail("\r\n"),
        ]),
    FramingCase(
        name: "MULTIAPPEND streams each large message", limits: small,
        input: "a1 APPEND INBOX {12+}\r\nhello, world (\\Seen) {11+}\r\nsecond body {2+}\r\nhi\r\n",
        expected: [
            .streamBegins(head: "a1 APPEND INBOX {12+}\r\n", byteCount: 12, continuing: false),
            .streamBytes(Array("hello, world".utf8)), .streamEnds,
            .streamBegins(head: " (\\Seen) {11+}\r\n", byteCount: 11, continuing: true),
            .streamBytes(Array("second body".utf8)), .streamEnds,
            .streamTail(" {2+}\r\nhi\r\n"),
        ]),
    FramingCase(
        name: "line too long gives a tagged error and resynchronises",
        input: "a1 LOGIN " + String(repeating: "x", count: 50) + "\r\na2 NOOP\r\n", limits: small,
        expected: [.error(FramingError(kind: .lineTooLong, tag: "a1", isFatal: false)), .command("a2 NOOP\r\n")]),
    FramingCase(
        name: "too-long line ending in a literal header drops only the line (fuzzer find)",
        input: "A003 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {5+}\r\nhello (\\Draft) ~{3+}\r\na\0b\r\n",
        limits: FramingLimits(
            maximumLineLength: 48, maximumLiteralSize: 300, maximumBufferedLiteralSize: 16, maximumBufferedCommandSize: 200,
            nonSynchronizingLiterals: .literalMinus),
        expected: [.error(FramingError(kind: .lineTooLong, tag: "A003", isFatal: false)), .command("hello (\\Draft) ~{3+}\r\na\0b\r\n")]),
    FramingCase(
        name: "a tag longer than a line may be is not reported", limits: small,
        input: String(repeating: "t", count: 45) + " NOOP\r\na2 NOOP\r\n",
        expected: [.error(FramingError(kind: .lineTooLong, tag: nil, isFatal: false)), .command("a2 NOOP\r\n")]),
    FramingCase(
        name: "line too long without a tag", input: String(repeating: "(", count: 50) + "\r\na2 NOOP\r\n", limits: small,
        expected: [.error(FramingError(kind: .lineTooLong, tag: nil, isFatal: false)), .command("a2 NOOP\r\n")]),
    FramingCase(
        name: "synchronizing literal over the limit is refused; the client never sends it",
        input: "a1 APPEND INBOX {101}\r\na2 NOOP\r\n", limits: small,
        expected: [.error(FramingError(kind: .literalTooLarge, tag: "a1", isFatal: false)), .command("a2 NOOP\r\n")]),
    FramingCase(
        name: "non-synchronizing literal over the limit closes the connection",
        input: "a1 APPEND INBOX {101+}\r\nxxxx\r\na2 NOOP\r\n", limits: small,
        expected: [.error(FramingError(kind: .literalTooLarge, tag: "a1", isFatal: true))]),
    FramingCase(
        name: "literal size beyond number64 is malformed", input: "a1 LOGIN {99999999999999999999}\r\na2 NOOP\r\n",
        expected: [.error(FramingError(kind: .malformedLiteral, tag: "a1", isFatal: false)), .command("a2 NOOP\r\n")]),
    FramingCase(
        name: "LITERAL- refuses a large non-synchronizing literal and skips its bytes",
        input: "a1 APPEND INBOX {4097+}\r\n" + String(repeating: "m", count: 4097) + "\r\na2 NOOP\r\n", limits: smallMinus,
        expected: [
            .error(FramingError(kind: .nonSynchronizingLiteralTooLarge, tag: "a1", isFatal: false)), .command("a2 NOOP\r\n"),
        ]),
    FramingCase(
        name: "LITERAL- accepts 4096 bytes", input: "a1 LOGIN {4096+}\r\n" + String(repeating: "m", count: 4096) + " p\r\n",
        limits: smallMinus,
        expected: [.command("a1 LOGIN {4096+}\r\n" + String(repeating: "m", count: 4096) + " p\r\n")]),
    FramingCase(
        name: "literal that would overflow the command buffer is streamed", limits: small,
        input: "a1 LOGIN {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n0123456789 x\r\na2 NOOP\r\n",
        expected: [
            .streamBegins(
                head: "a1 LOGIN {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n", byteCount: 10, continuing: false),
            .streamBytes(Array("0123456789".utf8)), .streamEnds, .streamTail(" x\r\n"), .command("a2 NOOP\r\n"),
        ]),
    FramingCase(
        name: "lines over the command limit", limits: small,
        input: "a1 LOGIN {0+}\r\n" + String(repeating: "y", count: 30) + " {0+}\r\n" + String(repeating: "z", count: 30)
            + "\r\na2 NOOP\r\n",
        expected: [.error(FramingError(kind: .commandTooLarge, tag: "a1", isFatal: false)), .command("a2 NOOP\r\n")]),
]

@Suite("CommandFramer")
struct CommandFramerTests {
    @Test(arguments: framingCases)
    func framesInOnePiece(_ testCase: FramingCase) {
        #expect(frameEvents(Array(wire: testCase.input), limits: testCase.limits) == testCase.expected)
        #expect(frameEvents(Array(wire: testCase.input), limits: testCase.limits, byRange: true) == testCase.expected)
    }

    @Test(arguments: framingCases)
    func framesOneByteAtATime(_ testCase: FramingCase) {
        #expect(frameEventsBytewise(Array(wire: testCase.input), limits: testCase.limits) == testCase.expected)
        #expect(frameEventsBytewise(Array(wire: testCase.input), limits: testCase.limits, byRange: true) == testCase.expected)
    }

    @Test(arguments: framingCases)
    func framesInRandomPieces(_ testCase: FramingCase) {
        var generator = SeededGenerator(state: UInt64(testCase.name.utf8.count))
        let input = Array(wire: testCase.input)
        for _ in 0..<20 {
            var pieces: [Int] = []
            var total = 0
            while total < input.count {
                let piece = Int.random(in: 1...17, using: &generator)
                pieces.append(piece)
                total += piece
            }
            #expect(frameEvents(input, pieces: pieces, limits: testCase.limits) == testCase.expected)
            #expect(frameEvents(input, pieces: pieces, limits: testCase.limits, byRange: true) == testCase.expected)
        }
    }

    @Test(arguments: framingCases)
    func scalarPathMatchesSIMD(_ testCase: FramingCase) {
        var scalar = testCase.limits
        scalar.usesSIMD = false
        #expect(frameEvents(Array(wire: testCase.input), limits: scalar) == testCase.expected)
        #expect(frameEventsBytewise(Array(wire: testCase.input), limits: scalar, byRange: true) == testCase.expected)
    }

    @Test func continuationComesBeforeTheLiteralArrives() {
        var framer = CommandFramer()
        framer.append(Array(wire: "a1 LOGIN {5}\r\n"))
        #expect(framer.nextEvent() == .continuationRequest)
        #expect(framer.nextEvent() == nil)
        framer.append(Array(wire: "alice bob\r\n"))
        #expect(framer.nextEvent() == .command(Array(wire: "a1 LOGIN {5}\r\nalice bob\r\n")[...]))
    }

    @Test func streamedLiteralIsNeverBufferedWhole() {
        let limits = FramingLimits(maximumBufferedLiteralSize: 1024)
        var framer = CommandFramer(limits: limits)
        framer.append(Array(wire: "a1 APPEND INBOX {1000000+}\r\n"))
        #expect(framer.nextEvent() == .streamedLiteralBegins(
            head: Array(wire: "a1 APPEND INBOX {1000000+}\r\n")[...], byteCount: 1_000_000, continuing: false, synchronizing: false))
        let chunk = [UInt8](repeating: 0x41, count: 8192)
        var received = 0
        for _ in 0..<(1_000_000 / 8192 + 1) {
            framer.append(chunk.prefix(min(8192, 1_000_000 - received)))
            while case .streamedLiteralBytes(let bytes)? = framer.nextEvent() { received += bytes.count }
            #expect(framer.bufferedByteCount <= 8192)
        }
        #expect(received == 1_000_000)
    }

    /// The server may answer a streamed synchronizing APPEND (no such mailbox, too big)
    /// instead of sending `+`; the client then sends its next command, not the literal.
    @Test func refusedStreamedLiteralIsNotAwaited() {
        var framer = CommandFramer(limits: FramingLimits(maximumBufferedLiteralSize: 1024))
        framer.append(Array(wire: "a1 APPEND Nowhere {100000}\r\n"))
        guard case .streamedLiteralBegins(_, 100_000, false, true)? = framer.nextEvent() else {
            Issue.record("expected a synchronizing streamed literal")
            return
        }
        framer.refuseStreamedLiteral()
        framer.append(Array(wire: "a2 NOOP\r\n"))
        #expect(framer.nextEvent() == .command(Array(wire: "a2 NOOP\r\n")[...]))
    }

    @Test func aStreamedLiteralCannotBeRefusedOnceItsBytesFlow() {
        var framer = CommandFramer(limits: FramingLimits(maximumBufferedLiteralSize: 4))
        framer.append(Array(wire: "a1 APPEND INBOX {8}\r\nabc"))
        _ = framer.nextEvent()
        #expect(framer.nextEvent() == .streamedLiteralBytes(Array(wire: "abc")[...]))
        framer.refuseStreamedLiteral()
        framer.append(Array(wire: "defgh\r\n"))
        #expect(framer.nextEvent() == .streamedLiteralBytes(Array(wire: "defgh")[...]))
        #expect(framer.nextEvent() == .streamedLiteralEnds)
        #expect(framer.nextEvent() == .streamedCommandEnds(Array(wire: "\r\n")[...]))
    }

    @Test func nothingIsFramedAfterAFatalError() {
        var framer = CommandFramer(limits: small)
        framer.append(Array(wire: "a1 APPEND INBOX {1000+}\r\n"))
        #expect(framer.nextEvent() == .error(FramingError(kind: .literalTooLarge, tag: "a1", isFatal: true)))
        framer.append(Array(wire: "a2 NOOP\r\n"))
        #expect(framer.nextEvent() == nil)
    }

    @Test func errorsCarryResponseCodes() {
        #expect(FramingError(kind: .literalTooLarge, tag: nil, isFatal: false).responseCode == "TOOBIG")
        #expect(FramingError(kind: .nonSynchronizingLiteralTooLarge, tag: nil, isFatal: false).responseCode == "TOOBIG")
        #expect(FramingError(kind: .lineTooLong, tag: nil, isFatal: false).responseCode == nil)
    }
}

@Suite("LineFeedScanner")
struct LineFeedScannerTests {
    /// Every position of a line feed in buffers of every length up to 100, from every start.
    @Test func simdAgreesWithScalarEverywhere() {
        for length in 0..<100 {
            for lineFeedAt in [-1] + Array(0..<length) {
                var bytes = [UInt8](repeating: 0x41, count: length)
                if lineFeedAt >= 0 { bytes[lineFeedAt] = 0x0A }
                if lineFeedAt + 7 < length, lineFeedAt >= 0 { bytes[lineFeedAt + 7] = 0x0A }
                bytes.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    for start in stride(from: 0, through: length, by: 3) {
                        let scalar = LineFeedScanner.firstLineFeedScalar(base, from: start, count: length)
                        let simd = LineFeedScanner.firstLineFeedSIMD(base, from: start, count: length)
                        #expect(simd == scalar, "length \(length) lf \(lineFeedAt) start \(start)")
                    }
                }
            }
        }
    }
}

/// An idle session gives its buffers back; framing and encoding go on afterwards.
@Suite struct BufferReleaseTests {
    @Test func framerReleasesOnlyWhenNothingIsBuffered() throws {
        var framer = CommandFramer()
        let first = Array("a1 NOOP\r\na2 NO".utf8)
        first.withUnsafeBytes { framer.append($0) }
        guard case .command? = framer.nextEvent() else { Issue.record("no first command"); return }
        #expect(framer.nextEvent() == nil)
        framer.releaseBufferIfEmpty()
        #expect(framer.storage.capacity > 0, "half a command is buffered: nothing may be dropped")
        Array("OP\r\n".utf8).withUnsafeBytes { framer.append($0) }
        guard case .command(let frame)? = framer.nextEvent() else { Issue.record("no second command"); return }
        #expect(Array(frame) == Array("a2 NOOP\r\n".utf8))
        framer.releaseBufferIfEmpty()
        #expect(framer.storage.capacity == 0)
        Array("a3 IDLE\r\n".utf8).withUnsafeBytes { framer.append($0) }
        guard case .command(let third)? = framer.nextEvent() else { Issue.record("no command after release"); return }
        #expect(Array(third) == Array("a3 IDLE\r\n".utf8))
    }

    /// IDLE's session takes the bytes pipelined behind the IDLE command (its DONE and
    /// what follows) and later gives back what is not its line; mid-command nothing moves.
    @Test func bufferedInputIsHandedOverOnlyBetweenCommands() throws {
        var framer = CommandFramer()
        Array("a1 IDLE\r\nDONE\r\na2 NO".utf8).withUnsafeBytes { framer.append($0) }
        guard case .command(let idle)? = framer.nextEvent() else { Issue.record("no IDLE command"); return }
        #expect(Array(idle) == Array("a1 IDLE\r\n".utf8))
        #expect(framer.takeBufferedInput() == Array("DONE\r\na2 NO".utf8))
        #expect(framer.bufferedByteCount == 0)
        #expect(framer.takeBufferedInput() == [])
        Array("a2 NOOP\r\n".utf8).withUnsafeBytes { framer.append($0) }
        guard case .command(let next)? = framer.nextEvent() else { Issue.record("no command after the hand-over"); return }
        #expect(Array(next) == Array("a2 NOOP\r\n".utf8))

        var midCommand = CommandFramer()
        Array("a3 APPEND INBOX {5}\r\nab".utf8).withUnsafeBytes { midCommand.append($0) }
        #expect(midCommand.nextEvent() == .continuationRequest)
        #expect(midCommand.takeBufferedInput() == [], "a literal is half read: the bytes belong to it")
        Array("cde\r\n".utf8).withUnsafeBytes { midCommand.append($0) }
        guard case .command(let append)? = midCommand.nextEvent() else { Issue.record("the APPEND was lost"); return }
        #expect(Array(append) == Array("a3 APPEND INBOX {5}\r\nabcde\r\n".utf8))
    }

    @Test func responseBufferReleasesOnlyWhenEmpty() {
        var buffer = ResponseBuffer()
        buffer.writeBytes(Array("* OK\r\n".utf8))
        buffer.releaseCapacityIfEmpty()
        #expect(buffer.bytes == Array("* OK\r\n".utf8))
        buffer.removeAll()
        buffer.releaseCapacityIfEmpty()
        #expect(buffer.bytes.capacity == 0)
        buffer.writeBytes(Array("* BYE\r\n".utf8))
        #expect(buffer.bytes == Array("* BYE\r\n".utf8))
    }
}
