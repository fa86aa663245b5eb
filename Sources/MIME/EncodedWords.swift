/// Decodes RFC 2047 encoded-words (`=?charset?B|Q?text?=`) in an unstructured
/// header value to UTF-8, for SEARCH. FETCH keeps encoded-words as sent.
///
/// Rules applied: line breaks of folding are removed; white space between two
/// adjacent encoded-words is dropped (§6.2); adjacent words in the same charset
/// are joined before conversion, so a character split across words survives; a
/// malformed encoded-word stays as literal text; 8-bit bytes outside encoded-words
/// are taken as UTF-8 (RFC 6532), invalid sequences replaced.
enum EncodedWords {
    static func decode(_ value: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var literal: [UInt8] = []         // plain text since the last encoded-word
        var decoded: [UInt8] = []         // bytes of the current run of encoded-words
        var decodedCharset: [UInt8] = []
        var heldSpace: [UInt8] = []       // white space after an encoded-word
        var afterWord = false

        func flushLiteral() {
            output += CharsetConverter.repairedUTF8(literal)
            literal.removeAll(keepingCapacity: true)
        }
        func flushDecoded() {
            output += CharsetConverter.utf8(from: decoded, charset: decodedCharset)
                ?? CharsetConverter.repairedUTF8(decoded)
            decoded.removeAll(keepingCapacity: true)
        }

        var unterminated = 0..<0
        var index = 0
        while index < value.count {
            let c = value[index]
            if c == 0x0D || c == 0x0A {
                index += 1
                continue
            }
            if c == UInt8(ascii: "="), let word = parseWord(value, at: index, unterminated: &unterminated) {
                flushLiteral()
                heldSpace.removeAll(keepingCapacity: true)  // §6.2: dropped between words
                if afterWord, word.charset != decodedCharset { flushDecoded() }
                decodedCharset = word.charset
                decoded += word.decoded
                afterWord = true
                index = word.end
                continue
            }
            if afterWord {
                if c == 0x20 || c == 0x09 {
                    heldSpace.append(c)
                    index += 1
                    continue
                }
                flushDecoded()
                literal += heldSpace
                heldSpace.removeAll(keepingCapacity: true)
                afterWord = false
            }
            literal.append(c)
            index += 1
        }
        if afterWord { flushDecoded() }
        literal += heldSpace
        flushLiteral()
        return output
    }

    private struct Word {
        var charset: [UInt8]
        var decoded: [UInt8]
        var end: Int
    }

    /// `=?charset[*lang]?B|Q?text?=` at `start`, or nil when malformed.
    /// `unterminated`: a text scan found no "?=" from its lower bound up to its
    /// upper bound, so a word whose text starts inside it cannot end either.
    /// Remembering that keeps `=?a?q?x=?a?q?x…` linear instead of quadratic.
    private static func parseWord(_ value: [UInt8], at start: Int, unterminated: inout Range<Int>) -> Word? {
        guard start + 1 < value.count, value[start + 1] == UInt8(ascii: "?") else { return nil }
        var index = start + 2
        let charsetStart = index
        while index < value.count, value[index] != UInt8(ascii: "?") {
            let c = value[index]
            if c <= 0x20 || c >= 0x7F || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index + 2 < value.count, value[index + 2] == UInt8(ascii: "?") else { return nil }
        var charset = Array(value[charsetStart..<index])
        if let star = charset.firstIndex(of: UInt8(ascii: "*")) { charset = Array(charset[..<star]) }  // RFC 2231 §5
        let encoding = value[index + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = index + 3
        guard !unterminated.contains(textStart) else { return nil }
        var end = textStart
        while end + 1 < value.count, !(value[end] == UInt8(ascii: "?") && value[end + 1] == UInt8(ascii: "=")) {
            if value[end] == 0x20 || value[end] == 0x09 || value[end] == 0x0D || value[end] == 0x0A {
                unterminated = textStart..<end
                return nil
            }
            end += 1
        }
        guard end + 1 < value.count else {
            unterminated = textStart..<value.count
            return nil
        }
        let text = value[textStart..<end]
        var decoded: [UInt8] = []
        if encoding == UInt8(ascii: "b") {
            var decoder = Base64Decoder()
            Array(text).withUnsafeBytes { decoder.decode($0, into: &decoded) }
            decoder.finish(into: &decoded)
        } else {
            var scan = text.startIndex
            while scan < text.endIndex {
                let c = text[scan]
                if c == UInt8(ascii: "_") {
                    decoded.append(0x20)
                } else if c == UInt8(ascii: "="), scan + 2 < text.endIndex,
                          let high = HexDigit.value(text[scan + 1]), let low = HexDigit.value(text[scan + 2]) {
                    decoded.append(high << 4 | low)
                    scan += 2
                } else {
                    decoded.append(c)
                }
                scan += 1
            }
        }
        return Word(charset: charset, decoded: decoded, end: end + 2)
    }
}
