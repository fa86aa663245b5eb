/// What the framer found in the bytes received so far.
///
/// Byte slices share the framer's buffer without copying. Drop them before the next
/// ``CommandFramer/append(_:)``, or that call copies the buffer to keep them valid.
public enum FramingEvent: Hashable, Sendable {
    /// A complete command: its lines, buffered literals and final CRLF. Parse it with
    /// ``CommandParser`` (or, in IDLE or AUTHENTICATE, the matching line parser).
    case command(ArraySlice<UInt8>)
    /// The client sent a synchronizing literal header and waits: send `+ ...` CRLF.
    case continuationRequest
    /// A literal too large to buffer begins. `head` holds the command bytes since the
    /// command began (or since the previous streamed literal), ending with the literal
    /// header and its CRLF; `continuing` is true when it follows an earlier streamed
    /// literal of the same command. Parse it with ``AppendStreamParser/parseHead(_:continuing:)``.
    case streamedLiteralBegins(head: ArraySlice<UInt8>, byteCount: Int, continuing: Bool)
    /// The next bytes of the streamed literal.
    case streamedLiteralBytes(ArraySlice<UInt8>)
    /// The streamed literal is complete; framing of the same command goes on.
    case streamedLiteralEnds
    /// The rest of a command after its last streamed literal, CRLF included.
    /// Parse it with ``AppendStreamParser/parseTail(_:)``.
    case streamedCommandEnds(ArraySlice<UInt8>)
    /// The input broke a limit or the literal syntax.
    case error(FramingError)
}

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
