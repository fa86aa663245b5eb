/// Turns framed command bytes (from ``CommandFramer``) into typed commands.
///
/// Stateless: every function parses one complete frame. Session state decides which
/// function applies (a command, the DONE that ends IDLE, or a line of an
/// AUTHENTICATE exchange).
public enum CommandParser {
    /// Parses one complete command frame, CRLF included.
    public static func parseCommand(_ frame: ArraySlice<UInt8>) throws(CommandParseError) -> TaggedCommand {
        try frame.withUnsafeBufferPointer { (buffer) throws(CommandParseError) -> TaggedCommand in
            try parseCommand(in: buffer)
        }
    }

    /// Parses one complete command frame, CRLF included, from bytes that need not live in
    /// an array: the form to use with ``CommandFramer/nextRangeEvent()`` and
    /// ``CommandFramer/withUnsafeBytes(in:_:)``, which hands out no buffer reference.
    /// The result holds no pointer into `frame`.
    public static func parseCommand(_ frame: UnsafeRawBufferPointer) throws(CommandParseError) -> TaggedCommand {
        try frame.withMemoryRebound(to: UInt8.self) { (buffer) throws(CommandParseError) -> TaggedCommand in
            try parseCommand(in: buffer)
        }
    }

    private static func parseCommand(in buffer: UnsafeBufferPointer<UInt8>) throws(CommandParseError) -> TaggedCommand {
        var parser = GrammarParser(buffer)
        // Where a usable tag ends, to echo it in the BAD: only a tag that ends where a
        // tag may end. Kept as a position so the success path copies no string.
        var tagEnd: Int?
        do throws(ParseFailure) {
            let parsedTag = try parser.parseTag()
            if parser.peek() == 0x20 || parser.isAtLineEnd { tagEnd = parser.index }
            try parser.parseSpace()
            let command = try parser.parseCommandBody()
            return TaggedCommand(tag: parsedTag, command: command)
        } catch {
            throw CommandParseError(tag: tagEnd.map { parser.string(0..<$0) }, reason: error.reason)
        }
    }

    /// Parses the line a client sends to end IDLE.
    ///
    ///     idle = "IDLE" CRLF "DONE"
    public static func isIdleDone(_ frame: ArraySlice<UInt8>) -> Bool {
        (try? withGrammarParser(frame) { (parser) throws(ParseFailure) -> Bool in
            guard parser.skipKeyword("DONE") else { return false }
            try parser.parseCommandEnd()
            return true
        }) ?? false
    }

    /// One client line of an AUTHENTICATE exchange: base64 data, or `*` to cancel.
    public enum AuthenticationLine: Hashable, Sendable {
        case response(base64: String)
        case cancel
    }

    /// Parses a client line of an AUTHENTICATE exchange.
    ///
    ///     authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] *(CRLF base64)
    public static func parseAuthenticationLine(_ frame: ArraySlice<UInt8>) throws(CommandParseError) -> AuthenticationLine {
        do throws(ParseFailure) {
            return try withGrammarParser(frame) { (parser) throws(ParseFailure) -> AuthenticationLine in
                if parser.skip(UInt8(ascii: "*")) {
                    try parser.parseCommandEnd()
                    return .cancel
                }
                let text = try parser.parseBase64()
                try parser.parseCommandEnd()
                return .response(base64: text)
            }
        } catch {
            throw CommandParseError(tag: nil, reason: error.reason)
        }
    }
}

extension GrammarParser {
    // base64 = *(4base64-char) [base64-terminal]
    mutating func parseBase64() throws(ParseFailure) -> String {
        let start = index
        while let byte = peek(), ByteClass.isBase64Char(byte) { advance() }
        var padding = 0
        while padding < 2, skip(UInt8(ascii: "=")) { padding += 1 }
        guard (index - start) % 4 == 0 else { throw ParseFailure("malformed base64") }
        return string(start..<index)
    }

    // command-any / command-auth / command-nonauth / command-select, after "tag SP".
    mutating func parseCommandBody() throws(ParseFailure) -> Command {
        let nameRange = try parseAtomRange()
        let command: Command
        switch nameRange.count {
        case 2 where equalsIgnoringCase(nameRange, "ID"): command = try parseIDArguments()
        case 3 where equalsIgnoringCase(nameRange, "UID"): return try parseUIDCommand()
        case 4 where equalsIgnoringCase(nameRange, "NOOP"): command = .noop
        case 4 where equalsIgnoringCase(nameRange, "IDLE"): command = .idle
        case 4 where equalsIgnoringCase(nameRange, "LIST"): command = .list(try parseListArguments())
        case 4 where equalsIgnoringCase(nameRange, "LSUB"): command = try parseLSubArguments()
        case 4 where equalsIgnoringCase(nameRange, "COPY"): command = try parseCopyArguments(byUID: false, move: false)
        case 4 where equalsIgnoringCase(nameRange, "MOVE"): command = try parseCopyArguments(byUID: false, move: true)
        case 5 where equalsIgnoringCase(nameRange, "LOGIN"): command = try parseLoginArguments()
        case 5 where equalsIgnoringCase(nameRange, "CHECK"): command = .check
        case 5 where equalsIgnoringCase(nameRange, "CLOSE"): command = .close
        case 5 where equalsIgnoringCase(nameRange, "FETCH"): command = .fetch(try parseFetchArguments(byUID: false))
        case 5 where equalsIgnoringCase(nameRange, "STORE"): command = .store(try parseStoreArguments(byUID: false))
        case 6 where equalsIgnoringCase(nameRange, "LOGOUT"): command = .logout
        case 6 where equalsIgnoringCase(nameRange, "SELECT"): command = try parseSelectArguments(examine: false)
        case 6 where equalsIgnoringCase(nameRange, "CREATE"): command = try parseCreateArguments()
        case 6 where equalsIgnoringCase(nameRange, "DELETE"): command = .delete(try parseMailboxArgument())
        case 6 where equalsIgnoringCase(nameRange, "RENAME"): command = try parseRenameArguments()
        case 6 where equalsIgnoringCase(nameRange, "STATUS"): command = try parseStatusArguments()
        case 6 where equalsIgnoringCase(nameRange, "APPEND"): command = try parseAppendArguments()
        case 6 where equalsIgnoringCase(nameRange, "ENABLE"): command = try parseEnableArguments()
        case 6 where equalsIgnoringCase(nameRange, "SEARCH"): command = .search(try parseSearchArguments(byUID: false))
        case 7 where equalsIgnoringCase(nameRange, "EXAMINE"): command = try parseSelectArguments(examine: true)
        case 7 where equalsIgnoringCase(nameRange, "EXPUNGE"): command = .expunge
        case 8 where equalsIgnoringCase(nameRange, "STARTTLS"): command = .startTLS
        case 8 where equalsIgnoringCase(nameRange, "UNSELECT"): command = .unselect
        case 8 where equalsIgnoringCase(nameRange, "COMPRESS"): command = try parseCompressArguments()
        case 9 where equalsIgnoringCase(nameRange, "SUBSCRIBE"): command = .subscribe(try parseMailboxArgument())
        case 9 where equalsIgnoringCase(nameRange, "NAMESPACE"): command = .namespace
        case 10 where equalsIgnoringCase(nameRange, "CAPABILITY"): command = .capability
        case 11 where equalsIgnoringCase(nameRange, "UNSUBSCRIBE"): command = .unsubscribe(try parseMailboxArgument())
        case 12 where equalsIgnoringCase(nameRange, "AUTHENTICATE"): command = try parseAuthenticateArguments()
        default:
            return .unknown(name: string(nameRange))
        }
        try parseCommandEnd()
        return command
    }

    // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
    private mutating func parseUIDCommand() throws(ParseFailure) -> Command {
        try parseSpace()
        let nameRange = try parseAtomRange()
        let command: Command
        if equalsIgnoringCase(nameRange, "FETCH") {
            command = .fetch(try parseFetchArguments(byUID: true))
        } else if equalsIgnoringCase(nameRange, "STORE") {
            command = .store(try parseStoreArguments(byUID: true))
        } else if equalsIgnoringCase(nameRange, "SEARCH") {
            command = .search(try parseSearchArguments(byUID: true))
        } else if equalsIgnoringCase(nameRange, "COPY") {
            command = try parseCopyArguments(byUID: true, move: false)
        } else if equalsIgnoringCase(nameRange, "MOVE") {
            command = try parseCopyArguments(byUID: true, move: true)
        } else if equalsIgnoringCase(nameRange, "EXPUNGE") {
            // uid-expunge = "EXPUNGE" SP sequence-set
            try parseSpace()
            command = .uidExpunge(try parseSequenceSet())
        } else {
            throw ParseFailure("unknown UID command \(string(nameRange).prefix(32))")
        }
        try parseCommandEnd()
        return command
    }

    private mutating func parseMailboxArgument() throws(ParseFailure) -> MailboxName {
        try parseSpace()
        return try parseMailbox()
    }

    // login = "LOGIN" SP userid SP password
    private mutating func parseLoginArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let user = try parseAString()
        try parseSpace()
        return .login(username: user, password: try parseAString())
    }

    // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
    private mutating func parseAuthenticateArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let mechanism = try parseAtom()
        guard skipSpace() else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        if peek() == UInt8(ascii: "="), peek(1) == nil || peek(1) == 0x0D || peek(1) == 0x0A {
            advance()
            return .authenticate(mechanism: mechanism, initialResponse: .empty)
        }
        let response = try parseBase64()
        guard !response.isEmpty else { throw ParseFailure("malformed initial response") }
        return .authenticate(mechanism: mechanism, initialResponse: .base64(response))
    }

    // enable = "ENABLE" 1*(SP capability)
    private mutating func parseEnableArguments() throws(ParseFailure) -> Command {
        var capabilities: [String] = []
        while skipSpace() { capabilities.append(try parseAtom()) }
        guard !capabilities.isEmpty else { throw ParseFailure("ENABLE needs a capability") }
        return .enable(capabilities)
    }

    // compress = "COMPRESS" SP algorithm
    private mutating func parseCompressArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        return .compress(algorithm: try parseAtom())
    }

    // id = "ID" SP id_params_list
    // id_params_list = "(" #(string SP nstring) ")" / nil
    private mutating func parseIDArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        if skipKeyword("NIL") { return .id(nil) }
        try expect(UInt8(ascii: "("), "expected '(' or NIL")
        var fields: [IDField] = []
        if skip(UInt8(ascii: ")")) { return .id(fields) }
        repeat {
            let key = try parseString()
            try parseSpace()
            fields.append(IDField(key: key, value: try parseNString()))
            guard fields.count <= 30 else { throw ParseFailure("too many ID fields") }
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after ID fields")
        return .id(fields)
    }

    // copy = "COPY" SP sequence-set SP mailbox
    // move = "MOVE" SP sequence-set SP mailbox
    private mutating func parseCopyArguments(byUID: Bool, move: Bool) throws(ParseFailure) -> Command {
        try parseSpace()
        let set = try parseSequenceSet()
        try parseSpace()
        let mailbox = try parseMailbox()
        return move ? .move(set, mailbox, byUID: byUID) : .copy(set, mailbox, byUID: byUID)
    }
}
