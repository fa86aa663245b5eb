/// A literal header found at a line end.
///
///     literal  = "{" number64 ["+"] "}" CRLF
///     literal8 = "~{" number64 ["+"] "}" CRLF
struct LiteralHeader {
    /// nil when the number is too long to be a size this server could accept.
    var size: Int?
    var isNonSynchronizing: Bool

    /// Reads a header backwards from the line feed that ends a line starting at
    /// `lineStart`, or returns nil when the line does not end with one. (`~` before the
    /// brace changes nothing for framing, so it is not looked at.)
    ///
    /// `buffer` must hold the whole line; `lineStart <= lineFeed < buffer.count`.
    @inline(__always)
    init?(endingAt lineFeed: Int, lineStart: Int, in buffer: UnsafeBufferPointer<UInt8>) {
        var index = lineFeed - 1
        if index >= lineStart, buffer[index] == 0x0D { index -= 1 }
        // Most lines end in something else: one compare rejects them.
        guard index >= lineStart, buffer[index] == UInt8(ascii: "}") else { return nil }
        index -= 1
        let nonSynchronizing = index >= lineStart && buffer[index] == UInt8(ascii: "+")
        if nonSynchronizing { index -= 1 }
        let lastDigit = index
        while index >= lineStart, ByteClass.isDigit(buffer[index]) { index -= 1 }
        let digitCount = lastDigit - index
        guard digitCount > 0, index >= lineStart, buffer[index] == UInt8(ascii: "{") else { return nil }
        var size: Int?
        if digitCount <= 18 {
            var value = 0
            var position = index + 1
            while position <= lastDigit {
                value = value * 10 + Int(buffer[position] &- 0x30)
                position += 1
            }
            size = value
        }
        self.size = size
        self.isNonSynchronizing = nonSynchronizing
    }
}
