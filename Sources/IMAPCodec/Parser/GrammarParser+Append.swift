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
