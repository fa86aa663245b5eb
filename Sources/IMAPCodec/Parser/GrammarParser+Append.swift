/// APPEND, whole or with its last message streamed.
extension GrammarParser {
    // append = "APPEND" SP mailbox 1*append-message
    mutating func parseAppendArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let mailbox = try parseMailbox()
        let (messages, streamed) = try parseAppendMessages(allowStreamedEnd: false)
        assert(streamed == nil)
        guard !messages.isEmpty else { throw ParseFailure("APPEND needs a message") }
        return .append(mailbox, messages)
    }

    /// Messages up to the end of the frame; with `allowStreamedEnd`, the frame may end
    /// with the header of a literal whose bytes are streamed separately.
    ///
    ///     append-message = append-opts SP append-data
    ///     append-data    = literal / literal8
    mutating func parseAppendMessages(
        allowStreamedEnd: Bool
    ) throws(ParseFailure) -> ([AppendMessage], AppendStreamHead.StreamedMessage?) {
        var messages: [AppendMessage] = []
        while peek() == 0x20 {
            let options = try parseAppendOptions()
            var binary = false
            var streamedCount: UInt64?
            let range = try parseLiteral(
                allowBinary: true, isBinary: &binary, allowStreamedEnd: allowStreamedEnd, streamedCount: &streamedCount)
            if let streamedCount {
                return (messages, AppendStreamHead.StreamedMessage(options: options, byteCount: streamedCount, isBinary: binary))
            }
            messages.append(AppendMessage(options: options, data: bytes(range), isBinary: binary))
        }
        return (messages, nil)
    }

    // append-opts = [SP flag-list] [SP date-time] *(SP append-ext)
    // append-ext  = append-ext-name SP append-ext-value
    private mutating func parseAppendOptions() throws(ParseFailure) -> AppendOptions {
        var options = AppendOptions()
        try parseSpace()
        if peek() == UInt8(ascii: "(") {
            options.flags = try parseFlagList()
            try parseSpace()
        }
        if peek() == UInt8(ascii: "\"") {
            options.internalDate = try parseDateTime()
            try parseSpace()
        }
        while let byte = peek(), ByteClass.isTaggedLabelFirstChar(byte) {
            let name = try parseTaggedExtLabel()
            try parseSpace()
            options.extensions.append(ExtensionParameter(name: name, value: try parseExtensionValue()))
            try parseSpace()
        }
        return options
    }
}

/// What the bytes before a streamed APPEND literal said.
public struct AppendStreamHead: Hashable, Sendable {
    /// The tag, in the first head of a command; nil in heads that continue it.
    public var tag: String?
    /// The destination, in the first head of a command.
    public var mailbox: MailboxName?
    /// Small messages that arrived whole before the streamed one (MULTIAPPEND).
    public var completeMessages: [AppendMessage]
    /// The message whose bytes follow as literal chunks.
    public var streamedMessage: StreamedMessage

    /// The metadata of the message being streamed.
    public struct StreamedMessage: Hashable, Sendable {
        public var options: AppendOptions
        public var byteCount: UInt64
        public var isBinary: Bool
    }
}

/// Parses the pieces of an APPEND whose message literal is too large to buffer, which
/// ``CommandFramer`` delivers as a head, literal chunks, and either another head
/// (MULTIAPPEND) or a final tail.
public enum AppendStreamParser {
    /// Parses a head: `tag APPEND mailbox [flags] [date] {n}` CRLF when `continuing` is
    /// false, or the `[flags] [date] {n}` CRLF of a further message when it is true.
    /// A command other than APPEND fails: its literal was too large to buffer.
    public static func parseHead(_ bytes: ArraySlice<UInt8>, continuing: Bool) throws(CommandParseError) -> AppendStreamHead {
        var tag: String?
        do throws(ParseFailure) {
            return try withGrammarParser(bytes) { (parser) throws(ParseFailure) -> AppendStreamHead in
                var mailbox: MailboxName?
                if !continuing {
                    tag = try parser.parseTag()
                    try parser.parseSpace()
                    guard parser.skipKeyword("APPEND") else { throw ParseFailure("literal too large") }
                    try parser.parseSpace()
                    mailbox = try parser.parseMailbox()
                }
                let (messages, streamed) = try parser.parseAppendMessages(allowStreamedEnd: true)
                guard let streamed, parser.isAtEnd else { throw ParseFailure("malformed APPEND") }
                return AppendStreamHead(tag: tag, mailbox: mailbox, completeMessages: messages, streamedMessage: streamed)
            }
        } catch {
            throw CommandParseError(tag: tag, reason: error.reason)
        }
    }

    /// Parses the tail after the last streamed literal: any further whole messages, then CRLF.
    public static func parseTail(_ bytes: ArraySlice<UInt8>) throws(CommandParseError) -> [AppendMessage] {
        do throws(ParseFailure) {
            return try withGrammarParser(bytes) { (parser) throws(ParseFailure) -> [AppendMessage] in
                let (messages, _) = try parser.parseAppendMessages(allowStreamedEnd: false)
                try parser.parseCommandEnd()
                return messages
            }
        } catch {
            throw CommandParseError(tag: nil, reason: error.reason)
        }
    }
}
