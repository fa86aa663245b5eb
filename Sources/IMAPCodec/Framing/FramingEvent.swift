/// What the framer found in the bytes received so far.
///
/// Byte slices share the framer's buffer without copying. Drop them before the next
/// ``CommandFramer/append(_:)``, or that call copies the buffer to keep them valid.
///
/// Each slice costs a retain and a release of the buffer, and this enum is copied out of
/// line: on a connection's hot path prefer ``FramingRangeEvent`` from
/// ``CommandFramer/nextRangeEvent()`` (2.5× faster framing of small commands).
public enum FramingEvent: Hashable, Sendable {
    /// A complete command: its lines, buffered literals and final CRLF. Parse it with
    /// ``CommandParser`` (or, in IDLE or AUTHENTICATE, the matching line parser).
    case command(ArraySlice<UInt8>)
    /// The client sent a synchronizing literal header for a literal the framer buffers, and
    /// waits: send `+ ...` CRLF. (Streamed literals say so in their begin event instead.)
    case continuationRequest
    /// A literal too large to buffer begins. `head` holds the command bytes since the
    /// command began (or since the previous streamed literal), ending with the literal
    /// header and its CRLF; `continuing` is true when it follows an earlier streamed
    /// literal of the same command. Parse it with ``AppendStreamParser/parseHead(_:continuing:)``.
    ///
    /// When `synchronizing`, the client waits: send `+` to take the literal, or answer
    /// the command (`NO [TRYCREATE]`, `NO [TOOBIG]`, `BAD`) and call
    /// ``CommandFramer/refuseStreamedLiteral()`` so the framer expects a new command.
    /// A non-synchronizing literal is on its way regardless: to reject its command, answer
    /// it and ignore the events up to ``streamedCommandEnds(_:)``.
    case streamedLiteralBegins(head: ArraySlice<UInt8>, byteCount: Int, continuing: Bool, synchronizing: Bool)
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
