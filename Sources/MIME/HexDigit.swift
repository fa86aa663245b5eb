/// Hexadecimal digits, for %XX and =XX escapes.
enum HexDigit {
    static let upper: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
