/// A client command with its tag.
///
///     command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
public struct TaggedCommand: Hashable, Sendable {
    public var tag: String
    public var command: Command

    public init(tag: String, command: Command) {
        self.tag = tag
        self.command = command
    }
}
