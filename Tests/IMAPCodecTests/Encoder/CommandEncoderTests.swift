import Testing
@testable import IMAPCodec

@Suite("CommandEncoder")
struct CommandEncoderTests {
    /// Every command of the parser table survives encode → parse unchanged.
    @Test(arguments: commandCases)
    func roundTripsWithNonSynchronizingLiterals(_ testCase: ParseCase) throws {
        let command = TaggedCommand(tag: "t1", command: testCase.expected)
        let encoded = CommandEncoder(literalMode: .nonSynchronizing).encode(command)
        #expect(encoded.continuationPoints.isEmpty)
        #expect(try CommandParser.parseCommand(encoded.bytes[...]) == command)
    }

    /// With synchronizing literals the framer asks for one continuation per pause point.
    @Test(arguments: commandCases)
    func roundTripsWithSynchronizingLiterals(_ testCase: ParseCase) throws {
        let command = TaggedCommand(tag: "t2", command: testCase.expected)
        let encoded = CommandEncoder(literalMode: .synchronizing, utf8Enabled: false).encode(command)
        let events = frameEventsBytewise(encoded.bytes)
        #expect(events.filter { $0 == .continuation }.count == encoded.continuationPoints.count)
        guard case .command(let text)? = events.last else {
            Issue.record("no command frame: \(events)")
            return
        }
        #expect(try CommandParser.parseCommand(Array(wire: text)[...]) == command)
    }

    @Test func typicalCommandsReadAsClientsWriteThem() {
        let encoder = CommandEncoder()
        func wire(_ command: Command) -> String {
            String(decoding: encoder.encode(TaggedCommand(tag: "a1", command: command)).bytes, as: UTF8.self)
        }
        #expect(wire(.fetch(FetchCommand(byUID: true, set: .all, attributes: [.flags]))) == "a1 UID FETCH 1:* (FLAGS)\r\n")
        #expect(wire(.store(StoreCommand(
            byUID: true, set: .ranges([SequenceRange(.number(4), .number(9))]),
            flags: StoreFlags(operation: .add, silent: true, flags: [.seen])))) == "a1 UID STORE 4:9 +FLAGS.SILENT (\\Seen)\r\n")
        #expect(wire(.login(username: "bob smith", password: "p\"w")) == "a1 LOGIN \"bob smith\" \"p\\\"w\"\r\n")
        // Fuzzer find: a year below 1000 must still be four digits.
        #expect(wire(.search(SearchCommand(byUID: false, key: .since(IMAPDate(year: 431, month: 2, day: 1))))) == "a1 SEARCH SINCE 1-Feb-0431\r\n")
        #expect(wire(.append(.inbox, [AppendMessage(options: AppendOptions(), data: Array("hi".utf8))])) == "a1 APPEND INBOX {2+}\r\nhi\r\n")
    }
}
