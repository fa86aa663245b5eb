#if canImport(Glibc)
import Glibc
#endif

/// Where one server response ends in received bytes, found the way ``CommandFramer``
/// frames: a line ends at LF; a line ending in a literal header (`{n}` or `{n+}`, an
/// optional CR before the LF; `~` before the brace changes nothing) is followed by
/// exactly `n` bytes and the response goes on with the next line.
///
/// The header-FETCH fast lane uses it to cut a received chunk into whole responses,
/// so each one is either recognized or handed alone to the generic reader.
enum ResponseExtent: Equatable {
    /// The response ends just before this index.
    case complete(end: Int)
    /// More bytes are needed to see the end.
    case incomplete
    /// A literal larger than `maximumLiteral` (or a size too long to read): the fast
    /// lane leaves such a response, and the rest of its exchange, to the generic reader.
    case oversized

    /// The extent of the response starting at `start` in `bytes`.
    static func find(in bytes: UnsafeRawBufferPointer, from start: Int, maximumLiteral: Int) -> ResponseExtent {
        guard let base = bytes.baseAddress else { return .incomplete }
        var lineStart = start
        while lineStart < bytes.count {
            guard let found = memchr(base + lineStart, 0x0A, bytes.count - lineStart) else { return .incomplete }
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            switch literalSize(endingAt: lineFeed, lineStart: lineStart, in: bytes) {
            case nil:
                return .complete(end: lineFeed + 1)
            case let size? where size < 0 || size > maximumLiteral:
                return .oversized
            case let size?:
                lineStart = lineFeed + 1 + size
            }
        }
        // A literal ended exactly at the end of the bytes: its line has yet to come.
        return .incomplete
    }

    /// The size of the literal whose header ends the line ending at `lineFeed`, nil when
    /// the line ends otherwise, -1 for a size of more than 18 digits.
    private static func literalSize(endingAt lineFeed: Int, lineStart: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = lineFeed - 1
        if index >= lineStart, bytes[index] == 0x0D { index -= 1 }
        guard index >= lineStart, bytes[index] == UInt8(ascii: "}") else { return nil }
        index -= 1
        if index >= lineStart, bytes[index] == UInt8(ascii: "+") { index -= 1 }
        let lastDigit = index
        while index >= lineStart, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index -= 1 }
        let digitCount = lastDigit - index
        guard digitCount > 0, index >= lineStart, bytes[index] == UInt8(ascii: "{") else { return nil }
        guard digitCount <= 18 else { return -1 }
        var value = 0
        for position in (index + 1)...lastDigit { value = value * 10 + Int(bytes[position] &- 0x30) }
        return value
    }
}
