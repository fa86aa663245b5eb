import IMAPCodec

/// An APPEND whose message literal was too large for the framer to buffer,
/// being collected from its stream of framer events (head, chunks, end, tail).
/// The store takes a message as one array, so the chunks are gathered into one
/// buffer sized from the literal's header (at most APPENDLIMIT) rather than into
/// the framer's; MULTIAPPEND's messages are kept until the command ends, so the
/// append stays all or nothing.
struct StreamedAppend: Sendable {
    var tag: String?
    var mailbox: MailboxName?
    var messages: [AppendMessage] = []
    /// The message whose bytes are arriving.
    var current: AppendMessage?
    /// A head failed to parse: the rest of the command is read and dropped.
    var failure: CommandParseError?

    mutating func begin(head: ArraySlice<UInt8>, byteCount: Int, continuing: Bool) {
        guard failure == nil else { return }
        do {
            let parsed = try AppendStreamParser.parseHead(head, continuing: continuing)
            if !continuing {
                tag = parsed.tag
                mailbox = parsed.mailbox
            }
            messages += parsed.completeMessages
            var data: [UInt8] = []
            data.reserveCapacity(byteCount)
            current = AppendMessage(
                options: parsed.streamedMessage.options, data: data, isBinary: parsed.streamedMessage.isBinary)
        } catch {
            if !continuing { tag = error.tag }
            failure = error
        }
    }

    mutating func receive(_ bytes: ArraySlice<UInt8>) {
        current?.data.append(contentsOf: bytes)
    }

    mutating func endLiteral() {
        if let current { messages.append(current) }
        current = nil
    }

    /// The whole command once its tail arrived, or the parse error to answer.
    mutating func finish(tail: ArraySlice<UInt8>) -> Result<(String, MailboxName, [AppendMessage]), CommandParseError> {
        if let failure { return .failure(failure) }
        do {
            messages += try AppendStreamParser.parseTail(tail)
        } catch {
            return .failure(CommandParseError(tag: tag, reason: error.reason))
        }
        guard let tag, let mailbox else { return .failure(CommandParseError(tag: tag, reason: "malformed APPEND")) }
        return .success((tag, mailbox, messages))
    }
}
