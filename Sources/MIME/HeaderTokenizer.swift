/// Splits a structured header field value into the lexical tokens of RFC 5322 §3.2
/// and RFC 2045 §5.1: atoms (tokens), quoted strings, comments, domain literals and
/// single special characters. White space and folding line breaks separate tokens.
///
/// Lenient by design: 8-bit bytes are atom characters (RFC 6532 headers), an
/// unterminated quoted string or comment runs to the end of the value.
struct HeaderTokenizer {
    enum Token: Equatable {
        /// A run of atom characters.
        case atom(ByteRange)
        /// A quoted string; the range excludes the quotes, escapes still in place.
        case quoted(ByteRange)
        /// A comment; the range excludes the outer parentheses.
        case comment(ByteRange)
        /// A domain literal including its brackets.
        case domainLiteral(ByteRange)
        /// One special character.
        case special(UInt8)
    }

    /// Which bytes end an atom: RFC 2045 tspecials, or RFC 5322 specials.
    struct Specials {
        fileprivate var table: [Bool]

        /// RFC 2045 tspecials, for Content-Type and Content-Disposition.
        static let mime = Specials(Array("()<>@,;:\\\"/[]?=".utf8))
        /// RFC 5322 specials without ".", so "a.b" and "J. Doe" stay one atom each.
        static let address = Specials(Array("()<>[]:;@\\,\"".utf8))

        private init(_ bytes: [UInt8]) {
            var table = [Bool](repeating: false, count: 256)
            for byte in bytes { table[Int(byte)] = true }
            self.table = table
        }

        @inline(__always)
        func contains(_ byte: UInt8) -> Bool { table[Int(byte)] }
    }

    let bytes: MessageBytes
    var position: Int
    let end: Int
    let specials: Specials

    init(_ bytes: MessageBytes, range: ByteRange, specials: Specials) {
        self.bytes = bytes
        self.position = range.start
        self.end = range.end
        self.specials = specials
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// The next token, or nil at the end of the value.
    mutating func next() -> Token? {
        while position < end, Self.isSpace(bytes[position]) { position += 1 }
        guard position < end else { return nil }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\""):
            let start = position + 1
            position = start
            while position < end {
                let c = bytes[position]
                if c == UInt8(ascii: "\\") { position += 2; continue }
                if c == UInt8(ascii: "\"") { break }
                position += 1
            }
            position = min(position, end)
            let token = Token.quoted(ByteRange(start: start, end: position))
            if position < end { position += 1 }
            return token
        case UInt8(ascii: "("):
            let start = position + 1
            position = start
            var depth = 1
            while position < end {
                let c = bytes[position]
                if c == UInt8(ascii: "\\") { position += 2; continue }
                if c == UInt8(ascii: "(") { depth += 1 }
                if c == UInt8(ascii: ")") {
                    depth -= 1
                    if depth == 0 { break }
                }
                position += 1
            }
            position = min(position, end)
            let token = Token.comment(ByteRange(start: start, end: position))
            if position < end { position += 1 }
            return token
        case UInt8(ascii: "[") where !specials.contains(UInt8(ascii: "/")):
            // Domain literals only exist in address syntax.
            let start = position
            while position < end, bytes[position] != UInt8(ascii: "]") { position += 1 }
            if position < end { position += 1 }
            return .domainLiteral(ByteRange(start: start, end: position))
        default:
            if specials.contains(byte) {
                position += 1
                return .special(byte)
            }
            let start = position
            while position < end {
                let c = bytes[position]
                if Self.isSpace(c) || specials.contains(c) { break }
                position += 1
            }
            return .atom(ByteRange(start: start, end: position))
        }
    }

    /// Skips to just after the next `special` byte outside quotes and comments.
    mutating func skip(past special: UInt8) {
        while let token = next() {
            if token == .special(special) { return }
        }
    }
}

extension MessageBytes {
    /// The first RFC 2045 token of a field value (comments skipped), or empty:
    /// how a Content-Transfer-Encoding value is read.
    func firstAtom(of value: ByteRange) -> [UInt8] {
        var tokenizer = HeaderTokenizer(self, range: value, specials: .mime)
        while let token = tokenizer.next() {
            if case .atom(let range) = token { return copy(range) }
        }
        return []
    }

    /// The content of a quoted string or comment: quoted-pairs unescaped, folding
    /// line breaks removed (RFC 5322 §3.2.4: FWS inside quotes is its white space).
    func unescaped(_ range: ByteRange) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.start
        while index < range.end {
            var c = self[index]
            if c == UInt8(ascii: "\\"), index + 1 < range.end {
                index += 1
                c = self[index]
                out.append(c)
            } else if c != 0x0D, c != 0x0A {
                out.append(c)
            }
            index += 1
        }
        return out
    }

    /// The bytes of `range` with CR and LF removed: an unfolded field value.
    func unfolded(_ range: ByteRange) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for index in range.offsets {
            let c = self[index]
            if c != 0x0D, c != 0x0A { out.append(c) }
        }
        return out
    }

    /// `range` without leading and trailing white space (SP, HT, CR, LF).
    func trimmed(_ range: ByteRange) -> ByteRange {
        var start = range.start
        var end = range.end
        while start < end, HeaderTokenizer.isSpace(self[start]) { start += 1 }
        while end > start, HeaderTokenizer.isSpace(self[end - 1]) { end -= 1 }
        return ByteRange(start: start, end: end)
    }
}
