/// A framing failure, with what the server should answer and whether the connection
/// can go on.
public struct FramingError: Error, Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A line exceeded ``FramingLimits/maximumLineLength``.
        case lineTooLong
        /// A literal exceeded ``FramingLimits/maximumLiteralSize``.
        case literalTooLarge
        /// A non-synchronizing literal over 4096 bytes under LITERAL-.
        case nonSynchronizingLiteralTooLarge
        /// The command's buffered bytes exceeded ``FramingLimits/maximumBufferedCommandSize``.
        case commandTooLarge
        /// A literal header whose size is not a valid number64.
        case malformedLiteral
    }

    public var kind: Kind
    /// The command's tag, when its first line began with a valid one.
    public var tag: String?
    /// True when the connection cannot be resynchronised: answer `* BYE` and close.
    /// Otherwise answer `tag BAD` (or `* BAD` without a tag) and go on; the framer
    /// has already skipped the rest of the failed command.
    public var isFatal: Bool

    /// The response code to send with the answer (`TOOBIG`, RFC 4469 / RFC 7888), if any.
    public var responseCode: String? {
        switch kind {
        case .literalTooLarge, .nonSynchronizingLiteralTooLarge, .commandTooLarge: return "TOOBIG"
        case .lineTooLong, .malformedLiteral: return nil
        }
    }

    /// Human-readable text for the BAD or BYE.
    public var reason: String {
        switch kind {
        case .lineTooLong: return "Command line too long"
        case .literalTooLarge: return "Literal too large"
        case .nonSynchronizingLiteralTooLarge: return "Non-synchronizing literal over 4096 bytes"
        case .commandTooLarge: return "Command too large"
        case .malformedLiteral: return "Malformed literal"
        }
    }
}
