import MIME
import Testing

@Suite struct BinaryTests {
    struct DecodeCase: CustomStringConvertible, Sendable {
        var encoded: String
        var decoded: [UInt8]
        var description: String { encoded.debugDescription }
    }

    static let base64Cases: [DecodeCase] = [
        DecodeCase(encoded: "aGVsbG8gd29ybGQ=", decoded: Array("hello world".utf8)),
        DecodeCase(encoded: "aGVs\r\nbG8g\r\n d29y\tbGQ=\r\n", decoded: Array("hello world".utf8)),
        DecodeCase(encoded: "aGVsbG8", decoded: Array("hell".utf8) + [0x6F]),  // missing padding
        DecodeCase(encoded: "////", decoded: [0xFF, 0xFF, 0xFF]),
        DecodeCase(encoded: "QQ==garbage", decoded: [0x41]),
        DecodeCase(encoded: "", decoded: []),
        DecodeCase(encoded: "*!*", decoded: []),
    ]

    @Test(arguments: base64Cases)
    func base64Decodes(_ test: DecodeCase) {
        #expect(decodeInPieces(Array(test.encoded.utf8), .base64) == test.decoded)
    }

    static let quotedPrintableCases: [DecodeCase] = [
        DecodeCase(encoded: "caf=C3=A9", decoded: Array("café".utf8)),
        DecodeCase(encoded: "a=\r\nb", decoded: Array("ab".utf8)),
        DecodeCase(encoded: "a= \t\r\nb", decoded: Array("ab".utf8)),
        DecodeCase(encoded: "trailing  \r\nx", decoded: Array("trailing\r\nx".utf8)),
        DecodeCase(encoded: "bare\nlf", decoded: Array("bare\r\nlf".utf8)),
        DecodeCase(encoded: "=ZZ=4", decoded: Array("=ZZ=4".utf8)),
        DecodeCase(encoded: "=3d=3D", decoded: Array("==".utf8)),
        DecodeCase(encoded: "end=", decoded: Array("end".utf8)),
        DecodeCase(encoded: "a = b", decoded: Array("a = b".utf8)),
    ]

    @Test(arguments: quotedPrintableCases)
    func quotedPrintableDecodes(_ test: DecodeCase) {
        #expect(decodeInPieces(Array(test.encoded.utf8), .quotedPrintable) == test.decoded)
    }

    /// Decodes in every split into two chunks: streaming state must carry over.
    private func decodeInPieces(_ input: [UInt8], _ encoding: TransferEncoding) -> [UInt8] {
        var reference: [UInt8]?
        for split in 0...input.count {
            var output: [UInt8] = []
            input.withUnsafeBytes { buffer in
                let first = UnsafeRawBufferPointer(rebasing: buffer[..<split])
                let second = UnsafeRawBufferPointer(rebasing: buffer[split...])
                if encoding == .base64 {
                    var decoder = Base64Decoder()
                    decoder.decode(first, into: &output)
                    decoder.decode(second, into: &output)
                    decoder.finish(into: &output)
                } else {
                    var decoder = QuotedPrintableDecoder()
                    decoder.decode(first, into: &output)
                    decoder.decode(second, into: &output)
                    decoder.finish(into: &output)
                }
            }
            if let reference { #expect(output == reference, "split at \(split)") } else { reference = output }
        }
        return reference ?? []
    }

    @Test func attachmentDecodesAndSizes() throws {
        let message = Corpus.mixed.bytes
        let structure = MessageStructure(parsing: message)
        let section = try structure.binarySection(part: [2])
        #expect(section.encoding == .base64)
        message.withUnsafeBytes { buffer in
            #expect(section.decoded(from: buffer) == Array("Hello!".utf8))
            #expect(section.decodedSize(in: buffer) == 6)
        }
    }

    @Test func unknownTransferEncodingIsReported() {
        let message = CorpusMessage.crlf("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n")
        let structure = MessageStructure(parsing: message)
        #expect(throws: BinaryError.unknownTransferEncoding) { try structure.binarySection(part: [1]) }
        #expect(throws: BinaryError.noSuchPart) { try structure.binarySection(part: [2]) }
    }

    @Test func largeQuotedPrintableSizeMatchesDecodedLength() throws {
        let line = "Gr=C3=BC=C3=9Fe, this is a soft=\r\n broken line with trailing space  \r\n"
        let message = CorpusMessage.crlf("Content-Transfer-Encoding: quoted-printable\n\n")
            + Array(String(repeating: line, count: 3000).utf8)
        let structure = MessageStructure(parsing: message)
        let section = try structure.binarySection(part: [1])
        message.withUnsafeBytes { buffer in
            #expect(section.decodedSize(in: buffer) == section.decoded(from: buffer).count)
        }
    }
}
