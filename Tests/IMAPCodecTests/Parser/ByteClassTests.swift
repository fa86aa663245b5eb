import Testing
@testable import IMAPCodec

/// The byte classes are bit masks; these tests hold every byte to the grammar's wording
/// (RFC 9051 section 9), written out here the plain way.
@Suite("ByteClass")
struct ByteClassTests {
    /// `ATOM-CHAR = <any CHAR except atom-specials>`; CHAR = %x01-7F; atom-specials =
    /// "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]".
    private static func grammarAtomChar(_ byte: UInt8) -> Bool {
        guard byte >= 0x01, byte <= 0x7F else { return false }
        if byte < 0x20 || byte == 0x7F || byte == 0x20 { return false }  // CTL, SP
        return !Array("(){%*\"\\]".utf8).contains(byte)
    }

    @Test func atomChar() {
        for byte in UInt8.min...UInt8.max {
            #expect(ByteClass.isAtomChar(byte) == Self.grammarAtomChar(byte), "byte \(byte)")
        }
    }

    @Test func astringChar() {
        for byte in UInt8.min...UInt8.max {
            let expected = Self.grammarAtomChar(byte) || byte == UInt8(ascii: "]")
            #expect(ByteClass.isAStringChar(byte) == expected, "byte \(byte)")
        }
    }

    @Test func tagChar() {
        for byte in UInt8.min...UInt8.max {
            let expected = (Self.grammarAtomChar(byte) || byte == UInt8(ascii: "]")) && byte != UInt8(ascii: "+")
            #expect(ByteClass.isTagChar(byte) == expected, "byte \(byte)")
        }
    }

    @Test func listChar() {
        for byte in UInt8.min...UInt8.max {
            let expected = Self.grammarAtomChar(byte) || Array("]%*".utf8).contains(byte)
            #expect(ByteClass.isListChar(byte) == expected, "byte \(byte)")
        }
    }
}
