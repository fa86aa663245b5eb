/// What the framer found, with its bytes named by position in the framer's buffer.
///
/// The fast form of ``FramingEvent``: a trivial value with no reference to the buffer, so
/// handing it out costs no retain or release and no outlined copy. Read the bytes of a
/// range with ``CommandFramer/withUnsafeBytes(in:_:)`` (parse them with
/// ``CommandParser/parseCommand(_:)-(UnsafeRawBufferPointer)``) or copy them out with
/// ``CommandFramer/bytes(in:)``. A range is valid until the next
/// ``CommandFramer/append(_:)``, which may move the buffer's contents.
///
/// Prefer ``CommandFramer/nextRangeEvent()`` on a connection's hot path; the cases
/// mean the same as ``FramingEvent``'s.
public enum FramingRangeEvent: Hashable, Sendable {
    /// A complete command: its lines, buffered literals and final CRLF.
    case command(Range<Int>)
    /// The client waits for `+` after a synchronizing literal header the framer buffers.
    case continuationRequest
    /// A literal too large to buffer begins; see ``FramingEvent/streamedLiteralBegins(head:byteCount:continuing:synchronizing:)``.
    case streamedLiteralBegins(head: Range<Int>, byteCount: Int, continuing: Bool, synchronizing: Bool)
    /// The next bytes of the streamed literal.
    case streamedLiteralBytes(Range<Int>)
    /// The streamed literal is complete; framing of the same command goes on.
    case streamedLiteralEnds
    /// The rest of a command after its last streamed literal, CRLF included.
    case streamedCommandEnds(Range<Int>)
    /// The input broke a limit or the literal syntax: ``CommandFramer/lastError`` says how.
    /// (The error carries a tag string, which would make every event costly to copy.)
    case error
}
