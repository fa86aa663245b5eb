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
