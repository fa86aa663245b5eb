import Glibc

/// Converts text in a MIME charset to UTF-8, for SEARCH and RFC 2231 values.
///
/// UTF-8, US-ASCII and ISO-8859-1 are converted here; other charsets (ISO-8859-x,
/// Windows-125x, KOI8-R, ...) through glibc's iconv. Malformed input never fails the
/// conversion: each bad sequence becomes U+FFFD.
enum CharsetConverter {
    /// `bytes` in `charset`, as UTF-8; nil when the charset is unknown.
    static func utf8(from bytes: some Collection<UInt8>, charset: some Collection<UInt8>) -> [UInt8]? {
        let name = String(decoding: FieldName.lowercased(charset), as: UTF8.self)
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "x-unknown", "unknown-8bit", "":
            return repairedUTF8(bytes)
        case "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1":
            return latin1ToUTF8(bytes)
        default:
            return viaIconv(Array(bytes), charset: name)
        }
    }

    /// UTF-8 with every invalid sequence replaced by U+FFFD.
    static func repairedUTF8(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if bytes.allSatisfy({ $0 < 0x80 }) { return Array(bytes) }
        return Array(String(decoding: Array(bytes), as: UTF8.self).utf8)
    }

    private static func latin1ToUTF8(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for c in bytes {
            if c < 0x80 {
                out.append(c)
            } else {
                out.append(0xC0 | (c >> 6))
                out.append(0x80 | (c & 0x3F))
            }
        }
        return out
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Charset names handed to iconv are restricted to a safe alphabet.
    private static func isPlausibleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 40 && name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
        }
    }

    private static func viaIconv(_ input: [UInt8], charset: String) -> [UInt8]? {
        guard isPlausibleName(charset) else { return nil }
        let descriptor = iconv_open("UTF-8", charset)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var produced = 0
        var input = input
        input.withUnsafeMutableBufferPointer { inBuffer in
            var consumed = 0
            while consumed < inBuffer.count {
                if output.count - produced < 16 {
                    output += [UInt8](repeating: 0, count: output.count)
                }
                var inLeft = inBuffer.count - consumed
                var outLeft = output.count - produced
                let (result, error): (Int, Int32) = output.withUnsafeMutableBufferPointer { outBuffer in
                    var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress! + consumed)
                        .assumingMemoryBound(to: CChar.self)
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (result, errno)  // read at once, before anything else can set it
                }
                consumed = inBuffer.count - inLeft
                produced = output.count - outLeft
                if result != -1 { break }
                switch error {
                case E2BIG:
                    output += [UInt8](repeating: 0, count: output.count)
                case EILSEQ, EINVAL:
                    // Skip the bad byte; mark it, then carry on after it.
                    while output.count - produced < 3 { output += [UInt8](repeating: 0, count: 16) }
                    output.replaceSubrange(produced..<(produced + 3), with: replacement)
                    produced += 3
                    consumed += 1
                default:
                    consumed = inBuffer.count
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
