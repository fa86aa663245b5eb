/// Byte classes of the IMAP grammar (RFC 9051 section 9).
enum ByteClass {
    // The classes every token scan asks about are bit sets over the 128 ASCII bytes
    // (low word: 0x00-0x3F, high word: 0x40-0x7F): a test is a shift and a mask, with no
    // branch per byte. A `switch` here compiled to a jump table, an indirect branch per
    // byte of every atom. Tests check each set against the grammar's definition.

    /// `ATOM-CHAR = <any CHAR except atom-specials>`, where
    /// `atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials`.
    @inline(__always)
    static func isAtomChar(_ byte: UInt8) -> Bool {
        contains(byte, low: 0xFFFF_F8DA_0000_0000, high: 0x77FF_FFFF_CFFF_FFFF)
    }

    /// `ASTRING-CHAR = ATOM-CHAR / resp-specials`
    @inline(__always)
    static func isAStringChar(_ byte: UInt8) -> Bool {
        contains(byte, low: 0xFFFF_F8DA_0000_0000, high: 0x77FF_FFFF_EFFF_FFFF)
    }

    /// `tag = 1*<any ASTRING-CHAR except "+">`
    @inline(__always)
    static func isTagChar(_ byte: UInt8) -> Bool {
        contains(byte, low: 0xFFFF_F0DA_0000_0000, high: 0x77FF_FFFF_EFFF_FFFF)
    }

    /// `list-char = ATOM-CHAR / list-wildcards / resp-specials`
    @inline(__always)
    static func isListChar(_ byte: UInt8) -> Bool {
        contains(byte, low: 0xFFFF_FCFA_0000_0000, high: 0x77FF_FFFF_EFFF_FFFF)
    }

    /// True when `byte` is ASCII and its bit is set in the 128-bit set `low`/`high`.
    @inline(__always)
    private static func contains(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        let word = byte < 64 ? low : high
        return byte < 128 && (word >> UInt64(byte & 63)) & 1 != 0
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
