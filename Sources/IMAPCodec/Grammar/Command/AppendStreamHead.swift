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
