import MIME
import Testing
@testable import IMAPServer

@Suite struct BinaryAppendEncodingTests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")])
    func base64(input: String, expected: String) {
        #expect(String(decoding: BinaryAppendEncoding.base64Lines(ArraySlice(input.utf8)), as: UTF8.self) == expected)
    }

    @Test func longInputIsWrappedAt76() {
        let encoded = String(decoding: BinaryAppendEncoding.base64Lines(ArraySlice(repeating: 0, count: 120)), as: UTF8.self)
        #expect(encoded.split(separator: "\r\n").map(\.count) == [76, 76, 8]) // 120 bytes are 160 characters
    }

    @Test func messagesWithoutNULAreStoredAsSent() {
        #expect(BinaryAppendEncoding.storable(plainMessage) == plainMessage)
    }

    @Test func binaryPartWithNULBecomesBase64AndDecodesBack() throws {
        let original: [UInt8] = [0, 0x2D, 0xE4, 0x0D, 0x0A]
        let message = crlf([
            "From: user@domain.org",
            "Content-Type: multipart/mixed; boundary=x",
            "",
            "--x",
            "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: binary",
            "",
        ]) + original + crlf(["", "--x--"])
        let stored = BinaryAppendEncoding.storable(message)
        #expect(!stored.contains(0))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.contains("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(!text.contains("binary"))
        let structure = MessageStructure(parsing: stored)
        let section = try structure.binarySection(part: [1])
        #expect(stored.withUnsafeBytes { section.decoded(from: $0) } == original)
    }
}
