/// Modified UTF-7 of RFC 9051 section 5.1.3 (RFC 3501 section 5.1.3): printable ASCII
/// except `&` stands for itself, `&` is `&-`, and any other run of characters is its
/// UTF-16 in base64 (with `,` for `/`, no padding) between `&` and `-`.
public enum ModifiedUTF7 {
    /// The modified UTF-7 spelling of a UTF-8 name.
    public static func encode(_ name: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(name.utf8.count)
        var pending: [UInt16] = []
        for scalar in name.unicodeScalars {
            let value = scalar.value
            if value >= 0x20 && value <= 0x7E {
                flush(&pending, into: &output)
                output.append(UInt8(value))
                if value == 0x26 { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: UTF16.encode(scalar)!)
            }
        }
        flush(&pending, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The UTF-8 name for a modified UTF-7 spelling, or nil when the spelling breaks the
    /// rules: a bare non-ASCII byte, an unterminated or badly padded shift, a shift that
    /// encodes printable ASCII, or invalid UTF-16.
    public static func decode(_ encoded: String) -> String? {
        var output = ""
        let bytes = Array(encoded.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte <= 0x7E else { return nil }
            if byte != UInt8(ascii: "&") {
                output.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            if end == index + 1 {
                output.append("&")
            } else {
                guard let units = decodeBase64UTF16(bytes[(index + 1)..<end]) else { return nil }
                var scalars = ""
                var iterator = units.makeIterator()
                var decoder = UTF16()
                loop: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue(let scalar):
                        // Printable ASCII must not hide inside a shift.
                        if scalar.value >= 0x20 && scalar.value <= 0x7E { return nil }
                        scalars.unicodeScalars.append(scalar)
                    case .emptyInput: break loop
                    case .error: return nil
                    }
                }
                output += scalars
            }
            index = end + 1
        }
        return output
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static func flush(_ pending: inout [UInt16], into output: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        output.append(UInt8(ascii: "&"))
        var bits: UInt32 = 0
        var bitCount = 0
        for unit in pending {
            bits = (bits << 16) | UInt32(unit)
            bitCount += 16
            while bitCount >= 6 {
                bitCount -= 6
                output.append(alphabet[Int((bits >> UInt32(bitCount)) & 0x3F)])
            }
        }
        if bitCount > 0 {
            output.append(alphabet[Int((bits << UInt32(6 - bitCount)) & 0x3F)])
        }
        output.append(UInt8(ascii: "-"))
        pending.removeAll(keepingCapacity: true)
    }

    private static func sextet(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: ","): return 63
        default: return nil
        }
    }

    private static func decodeBase64UTF16(_ encoded: ArraySlice<UInt8>) -> [UInt16]? {
        var units: [UInt16] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for byte in encoded {
            guard let value = sextet(byte) else { return nil }
            bits = (bits << 6) | value
            bitCount += 6
            if bitCount >= 16 {
                bitCount -= 16
                units.append(UInt16(truncatingIfNeeded: bits >> UInt32(bitCount)))
            }
            bits &= (1 << UInt32(bitCount)) - 1
        }
        // Leftover bits are padding: fewer than 6 of them, all zero.
        guard bitCount < 6, bits == 0, !units.isEmpty else { return nil }
        return units
    }
}
