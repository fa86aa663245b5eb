/// The choice of atom, quoted string or literal for every string the server sends.
extension ResponseBuffer {
    /// Which grammar rule a string fills.
    enum StringRule {
        /// `astring = 1*ASTRING-CHAR / string`: an atom when the bytes allow it.
        case astring
        /// `string = quoted / literal`
        case string
    }

    /// Longest string sent quoted; longer ones go as literals, which need no escaping
    /// and which clients read without scanning.
    static let longestQuoted = 1024

    /// Writes `text` as an atom (astring only), a quoted string or a literal: the
    /// shortest form its bytes allow. `utf8` allows 8-bit bytes in quoted strings
    /// (IMAP4rev2 or UTF8=ACCEPT enabled); otherwise they force a literal.
    mutating func writeString(_ text: String, rule: StringRule, utf8: Bool) {
        var text = text
        text.withUTF8 { writeString(UnsafeRawBufferPointer($0), rule: rule, utf8: utf8) }
    }

    mutating func writeString(_ raw: UnsafeRawBufferPointer, rule: StringRule, utf8: Bool) {
        if rule == .astring, !raw.isEmpty, raw.allSatisfy(ByteClass.isAStringChar) {
            bytes.append(contentsOf: raw)
            return
        }
        var needsEscape = false
        var quotable = raw.count <= Self.longestQuoted
        if quotable {
            for byte in raw {
                switch byte {
                case 0, 0x0D, 0x0A: quotable = false
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): needsEscape = true
                case 0x80...: if !utf8 { quotable = false }
                default: break
                }
                if !quotable { break }
            }
        }
        guard quotable else {
            writeLiteralHeader(count: raw.count, binary: false)
            bytes.append(contentsOf: raw)
            return
        }
        write(UInt8(ascii: "\""))
        if needsEscape {
            for byte in raw {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { write(UInt8(ascii: "\\")) }
                write(byte)
            }
        } else {
            bytes.append(contentsOf: raw)
        }
        write(UInt8(ascii: "\""))
    }

    /// `nstring = string / nil`
    mutating func writeNString(_ text: String?, utf8: Bool) {
        guard let text else { return write("NIL") }
        writeString(text, rule: .string, utf8: utf8)
    }

    /// `{n}` CRLF, or `~{n}` CRLF for a literal8. Servers never send `{n+}`.
    mutating func writeLiteralHeader(count: Int, binary: Bool) {
        if binary { write(UInt8(ascii: "~")) }
        write(UInt8(ascii: "{"))
        writeNumber(count)
        write(UInt8(ascii: "}"))
        writeCRLF()
    }

    /// `DQUOTE QUOTED-CHAR DQUOTE / nil`: a hierarchy delimiter.
    mutating func writeDelimiter(_ delimiter: Unicode.Scalar?, utf8: Bool) {
        guard let delimiter else { return write("NIL") }
        writeString(String(Character(delimiter)), rule: .string, utf8: utf8)
    }
}
