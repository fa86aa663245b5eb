/// Byte classes of the IMAP grammar (RFC 9051 section 9).
enum ByteClass {
    /// `ATOM-CHAR = <any CHAR except atom-specials>`, where
    /// `atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials`.
    @inline(__always)
    static func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte > 0x20 && byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default:
            return true
        }
    }

    /// `ASTRING-CHAR = ATOM-CHAR / resp-specials`
    @inline(__always)
    static func isAStringChar(_ byte: UInt8) -> Bool {
        isAtomChar(byte) || byte == UInt8(ascii: "]")
    }

    /// `tag = 1*<any ASTRING-CHAR except "+">`
    @inline(__always)
    static func isTagChar(_ byte: UInt8) -> Bool {
        isAStringChar(byte) && byte != UInt8(ascii: "+")
    }

    /// `list-char = ATOM-CHAR / list-wildcards / resp-specials`
    @inline(__always)
    static func isListChar(_ byte: UInt8) -> Bool {
        isAStringChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*")
    }

    /// `tagged-label-char = ALPHA / "-" / "_" / "." / DIGIT / ":"`
    @inline(__always)
    static func isTaggedLabelChar(_ byte: UInt8) -> Bool {
        isDigit(byte) || isTaggedLabelFirstChar(byte) || byte == UInt8(ascii: ":")
    }

    /// `tagged-label-fchar = ALPHA / "-" / "_" / "."`
    @inline(__always)
    static func isTaggedLabelFirstChar(_ byte: UInt8) -> Bool {
        isAlpha(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

    /// `base64-char = ALPHA / DIGIT / "+" / "/"`
    @inline(__always)
    static func isBase64Char(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }
}
