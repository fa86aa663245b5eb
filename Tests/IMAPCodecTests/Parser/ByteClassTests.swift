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

    /// The word-at-a-time fold agrees with the byte fold for every ASCII byte in every
    /// lane, next to neighbours at the edges of the lower-case range.
    @Test func wordFoldMatchesByteFold() {
        let edges: [UInt8] = [0x00, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F]
        for lane in 0..<8 {
            for byte in UInt8(0)...UInt8(0x7F) {
                for neighbour in edges {
                    var bytes = [UInt8](repeating: neighbour, count: 8)
                    bytes[lane] = byte
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    let folded = bytes.map(asciiUppercased).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(ASCIIWord.uppercased(word) == folded)
                }
            }
        }
        // A byte outside ASCII matches no keyword.
        #expect(ASCIIWord.uppercased(0x4141_4141_4141_41C1) == 0)
    }
}
