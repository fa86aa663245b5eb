/// crypt's base64 for SHA-crypt digests: the alphabet `./0-9A-Za-z`, each group of
/// three digest bytes (taken in the specification's interleaved order) written as
/// four characters, least significant six bits first.
enum SHACryptEncoding {
    static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Whether `byte` is one of the 64 characters.
    static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            true
        default:
            false
        }
    }

    /// Byte indexes (high, middle, low) of each 24-bit group, and how many
    /// characters the group gives, as the specification lists them.
    static let sha256Groups: [(Int, Int, Int, Int)] = [
        (0, 10, 20, 4), (21, 1, 11, 4), (12, 22, 2, 4), (3, 13, 23, 4), (24, 4, 14, 4),
        (15, 25, 5, 4), (6, 16, 26, 4), (27, 7, 17, 4), (18, 28, 8, 4), (9, 19, 29, 4),
        (-1, 31, 30, 3),
    ]
    static let sha512Groups: [(Int, Int, Int, Int)] = [
        (0, 21, 42, 4), (22, 43, 1, 4), (44, 2, 23, 4), (3, 24, 45, 4), (25, 46, 4, 4),
        (47, 5, 26, 4), (6, 27, 48, 4), (28, 49, 7, 4), (50, 8, 29, 4), (9, 30, 51, 4),
        (31, 52, 10, 4), (53, 11, 32, 4), (12, 33, 54, 4), (34, 55, 13, 4), (56, 14, 35, 4),
        (15, 36, 57, 4), (37, 58, 16, 4), (59, 17, 38, 4), (18, 39, 60, 4), (40, 61, 19, 4),
        (62, 20, 41, 4), (-1, -1, 63, 2),
    ]

    /// The text of `digest` (32 bytes for SHA-256, 64 for SHA-512); -1 above
    /// stands for a zero byte.
    static func encode(_ digest: ArraySlice<UInt8>, variant: SHACrypt.Variant) -> String {
        let groups = variant == .sha256 ? sha256Groups : sha512Groups
        let base = digest.startIndex
        func byte(_ index: Int) -> UInt32 { index < 0 ? 0 : UInt32(digest[base + index]) }
        var text = [UInt8]()
        text.reserveCapacity(86)
        for (high, middle, low, characters) in groups {
            var word = byte(high) << 16 | byte(middle) << 8 | byte(low)
            for _ in 0..<characters {
                text.append(alphabet[Int(word & 0x3f)])
                word >>= 6
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
