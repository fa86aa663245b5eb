/// Appends IMAP4rev2 response syntax (RFC 9051 §4 and §9) to a byte buffer:
/// NIL, numbers, strings and parenthesised lists.
///
/// A string is sent quoted when every byte is a 7-bit TEXT-CHAR other than NUL
/// (with `"` and `\` escaped); otherwise — CR, LF, NUL or 8-bit bytes — it is sent
/// as a literal, which both IMAP4rev1 and IMAP4rev2 clients accept. NUL bytes,
/// allowed in neither form, are left out.
struct IMAPWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func open() { bytes.append(UInt8(ascii: "(")) }
    mutating func close() { bytes.append(UInt8(ascii: ")")) }
    mutating func space() { bytes.append(UInt8(ascii: " ")) }
    mutating func nilAtom() { bytes.append(contentsOf: Self.nilBytes) }

    mutating func number(_ value: Int) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes.append(contentsOf: digits.reversed())
    }

    /// A string, quoted or literal as its bytes require.
    mutating func string(_ value: some Collection<UInt8>) {
        var quotable = true
        var escapes = false
        for c in value {
            if !Self.isQuotable(c) {
                quotable = false
                break
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { escapes = true }
        }
        if quotable, !escapes {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: value)
            bytes.append(UInt8(ascii: "\""))
        } else if quotable {
            bytes.append(UInt8(ascii: "\""))
            for c in value {
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(c)
            }
            bytes.append(UInt8(ascii: "\""))
        } else if value.contains(0) {
            // A literal may not carry NUL either (CHAR8 is %x01-ff): drop them.
            literal(value.filter { $0 != 0 })
        } else {
            literal(value)
        }
    }

    private mutating func literal(_ value: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "{"))
        number(value.count)
        bytes.append(contentsOf: [UInt8(ascii: "}"), 0x0D, 0x0A])
        bytes.append(contentsOf: value)
    }

    /// A string, or NIL when the value is nil.
    mutating func nstring(_ value: (some Collection<UInt8>)?) {
        if let value { string(value) } else { nilAtom() }
    }

    mutating func string(_ value: String) { string(value.utf8) }

    /// A header value from the message as a string: surrounding white space
    /// trimmed, the line breaks of folding removed (the white space after them
    /// stays), without copying when the value is a single line.
    mutating func unfoldedString(_ message: MessageBytes, _ value: ByteRange) {
        let trimmed = message.trimmed(value)
        let buffer = message.buffer(trimmed)
        if buffer.contains(0x0A) || buffer.contains(0x0D) {
            string(message.unfolded(trimmed))
        } else {
            string(buffer)
        }
    }

    @inline(__always)
    static func isQuotable(_ c: UInt8) -> Bool {
        c != 0 && c != 0x0D && c != 0x0A && c < 0x80
    }

    private static let nilBytes: [UInt8] = Array("NIL".utf8)
}
