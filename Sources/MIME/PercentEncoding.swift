/// The `%XX` encoding of RFC 2231 extended values.
enum PercentEncoding {
    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let c = bytes[index]
            if c == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
               let high = HexDigit.value(bytes[index + 1]), let low = HexDigit.value(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(c)
                index += 1
            }
        }
        return out
    }

    /// Encodes every byte that is not an RFC 2231 attribute-char.
    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for c in bytes {
            if isAttributeChar(c) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(HexDigit.upper[Int(c >> 4)])
                out.append(HexDigit.upper[Int(c & 0xF)])
            }
        }
        return out
    }

    private static func isAttributeChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$&+-.^_`|~".utf8).contains(c)
        }
    }
}
