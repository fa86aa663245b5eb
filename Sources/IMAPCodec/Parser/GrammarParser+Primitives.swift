/// The terminal rules: spaces, keywords, atoms, numbers, strings.
extension GrammarParser {
    // SP = %x20
    @inline(__always)
    mutating func parseSpace() throws(ParseFailure) {
        guard peek() == 0x20 else { throw missingSpace() }
        advance()
    }

    /// Kept out of line so the inlined ``parseSpace()`` stays a compare and a branch.
    @inline(never)
    private func missingSpace() -> ParseFailure {
        ParseFailure(isAtEnd ? "missing argument" : "expected a space")
    }

    /// Consumes one SP if it is next; true if it did.
    @inline(__always)
    mutating func skipSpace() -> Bool {
        guard peek() == 0x20 else { return false }
        advance()
        return true
    }

    /// Consumes `byte` or fails with `reason`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ reason: String) throws(ParseFailure) {
        guard peek() == byte else { throw ParseFailure(reason) }
        advance()
    }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        advance()
        return true
    }

    // CRLF = %x0D %x0A  (a bare LF is accepted, as most servers do)
    @inline(__always)
    mutating func parseLineEnd() throws(ParseFailure) {
        _ = skip(0x0D)
        guard skip(0x0A) else { throw ParseFailure("unexpected characters at end of command") }
    }

    /// Ends a command: CRLF then nothing more.
    mutating func parseCommandEnd() throws(ParseFailure) {
        try parseLineEnd()
        guard isAtEnd else { throw ParseFailure("unexpected data after the command") }
    }

    var isAtLineEnd: Bool { peek() == 0x0D || peek() == 0x0A }

    // atom = 1*ATOM-CHAR
    @inline(__always)
    mutating func parseAtomRange() throws(ParseFailure) -> Range<Int> {
        let range = skipRun(ByteClass.isAtomChar)
        guard !range.isEmpty else { throw ParseFailure("expected an atom") }
        return range
    }

    mutating func parseAtom() throws(ParseFailure) -> String {
        string(try parseAtomRange())
    }

    /// Reads an atom and compares it with `keyword` ignoring case, consuming it only on a match.
    @inline(__always)
    mutating func skipKeyword(_ keyword: StaticString) -> Bool {
        let start = index
        let length = keyword.utf8CodeUnitCount
        guard start + length <= count, equalsIgnoringCase(start..<(start + length), keyword) else { return false }
        // The keyword must not be the prefix of a longer atom.
        if let next = peek(length), ByteClass.isAtomChar(next) { return false }
        advance(length)
        return true
    }

    // number = 1*DIGIT ; unsigned 32-bit
    mutating func parseNumber() throws(ParseFailure) -> UInt32 {
        let value = try parseNumber64()
        guard value <= UInt64(UInt32.max) else { throw ParseFailure("number out of range") }
        return UInt32(value)
    }

    // nz-number = digit-nz *DIGIT
    mutating func parseNonZeroNumber() throws(ParseFailure) -> UInt32 {
        let value = try parseNumber()
        guard value != 0 else { throw ParseFailure("zero is not allowed here") }
        return value
    }

    // number64 = 1*DIGIT ; unsigned 63-bit
    mutating func parseNumber64() throws(ParseFailure) -> UInt64 {
        var value: UInt64 = 0
        var digits = 0
        while let byte = peek(), ByteClass.isDigit(byte) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte &- 0x30))
            guard !overflow1, !overflow2, sum <= UInt64(Int64.max) else { throw ParseFailure("number out of range") }
            value = sum
            digits += 1
            advance()
        }
        guard digits > 0 else { throw ParseFailure("expected a number") }
        return value
    }

    // nz-number64 = digit-nz *DIGIT
    mutating func parseNonZeroNumber64() throws(ParseFailure) -> UInt64 {
        let value = try parseNumber64()
        guard value != 0 else { throw ParseFailure("zero is not allowed here") }
        return value
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    // QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    mutating func parseQuoted() throws(ParseFailure) -> [UInt8] {
        try expect(UInt8(ascii: "\""), "expected a quoted string")
        let start = index
        // Fast path: no escapes, one copy.
        while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte != 0, byte != 0x0D, byte != 0x0A else { throw ParseFailure("invalid character in quoted string") }
            advance()
        }
        var result = bytes(start..<index)
        while true {
            guard let byte = peek() else { throw ParseFailure("unterminated quoted string") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return result
            case UInt8(ascii: "\\"):
                guard let escaped = peek(1), escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw ParseFailure("invalid escape in quoted string")
                }
                result.append(escaped)
                advance(2)
            case 0, 0x0D, 0x0A:
                throw ParseFailure("invalid character in quoted string")
            default:
                result.append(byte)
                advance()
            }
        }
    }

    // literal  = "{" number64 ["+"] "}" CRLF *CHAR8
    // literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
    /// Reads a literal's header and returns the range of its bytes, consuming them.
    /// `isBinary` reports a literal8. When `allowStreamedEnd` is set and the header is
    /// the last thing in the frame, the bytes are absent (the framer streams them) and the
    /// returned range is empty with `streamedCount` set.
    mutating func parseLiteral(
        allowBinary: Bool, isBinary: inout Bool, allowStreamedEnd: Bool = false, streamedCount: inout UInt64?
    ) throws(ParseFailure) -> Range<Int> {
        isBinary = skip(UInt8(ascii: "~"))
        if isBinary && !allowBinary { throw ParseFailure("binary literal not allowed here") }
        try expect(UInt8(ascii: "{"), "expected a literal")
        let size = try parseNumber64()
        _ = skip(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "malformed literal header")
        try parseLineEnd()
        if allowStreamedEnd && isAtEnd && size > 0 {
            streamedCount = size
            return index..<index
        }
        guard size <= UInt64(count - index) else { throw ParseFailure("literal is shorter than its header says") }
        let start = index
        advance(Int(size))
        let range = start..<index
        if !isBinary {
            // CHAR8 = %x01-ff
            for position in range where byte(at: position) == 0 {
                throw ParseFailure("NUL in a literal; use a binary literal")
            }
        }
        return range
    }

    // string = quoted / literal
    mutating func parseStringBytes() throws(ParseFailure) -> [UInt8] {
        if peek() == UInt8(ascii: "\"") { return try parseQuoted() }
        var binary = false
        var streamed: UInt64?
        return bytes(try parseLiteral(allowBinary: false, isBinary: &binary, streamedCount: &streamed))
    }

    mutating func parseString() throws(ParseFailure) -> String {
        try utf8String(parseStringBytes())
    }

    // astring = 1*ASTRING-CHAR / string
    mutating func parseAStringBytes() throws(ParseFailure) -> [UInt8] {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"):
            return try parseStringBytes()
        default:
            let start = index
            while let byte = peek(), ByteClass.isAStringChar(byte) { advance() }
            guard index > start else { throw ParseFailure("expected a string") }
            return bytes(start..<index)
        }
    }

    mutating func parseAString() throws(ParseFailure) -> String {
        switch peek() {
        case UInt8(ascii: "\""):
            // Fast path: a quoted string without escapes becomes a String with no copy between.
            let start = index + 1
            var end = start
            while end < count, byte(at: end) != UInt8(ascii: "\""), byte(at: end) != UInt8(ascii: "\\"),
                byte(at: end) != 0, byte(at: end) != 0x0D, byte(at: end) != 0x0A
            {
                end += 1
            }
            if end < count, byte(at: end) == UInt8(ascii: "\"") {
                guard let text = validatedString(start..<end) else { throw ParseFailure("string is not valid UTF-8") }
                advance(end + 1 - index)
                return text
            }
            return try parseString()
        case UInt8(ascii: "{"):
            return try parseString()
        default:
            let start = index
            while let byte = peek(), ByteClass.isAStringChar(byte) { advance() }
            guard index > start else { throw ParseFailure("expected a string") }
            return string(start..<index)
        }
    }

    // nstring = string / nil
    mutating func parseNString() throws(ParseFailure) -> String? {
        if skipKeyword("NIL") { return nil }
        return try parseString()
    }

    func utf8String(_ bytes: [UInt8]) throws(ParseFailure) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ParseFailure("string is not valid UTF-8") }
        return text
    }

    // tag = 1*<any ASTRING-CHAR except "+">
    mutating func parseTag() throws(ParseFailure) -> String {
        let range = skipRun(ByteClass.isTagChar)
        guard !range.isEmpty else { throw ParseFailure("missing or invalid tag") }
        return string(range)
    }

    // tagged-ext-label = tagged-label-fchar *tagged-label-char
    mutating func parseTaggedExtLabel() throws(ParseFailure) -> String {
        let start = index
        guard let first = peek(), ByteClass.isTaggedLabelFirstChar(first) else { throw ParseFailure("expected a parameter name") }
        advance()
        while let byte = peek(), ByteClass.isTaggedLabelChar(byte) { advance() }
        return string(start..<index)
    }
}
