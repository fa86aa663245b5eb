/// A command that could not be parsed: the server answers `tag BAD reason`, or
/// `* BAD reason` when no tag could be read.
public struct CommandParseError: Error, Hashable, Sendable {
    /// The command's tag, when the line started with a valid one.
    public var tag: String?
    public var reason: String

    public init(tag: String?, reason: String) {
        self.tag = tag
        self.reason = reason
    }
}
