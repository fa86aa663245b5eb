/// ASCII case-insensitive comparison of field names, the rule of RFC 9051 §6.4.5.1.
enum FieldName {
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// True when `bytes` equals the lowercase ASCII `lowercaseName`, ignoring case.
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseName: [UInt8]) -> Bool {
        guard bytes.count == lowercaseName.count else { return false }
        for index in 0..<bytes.count where lower(bytes[index]) != lowercaseName[index] {
            return false
        }
        return true
    }

    /// True when `bytes` equals the lowercase ASCII `lowercaseName`, ignoring case;
    /// allocates nothing.
    static func equals(_ bytes: [UInt8], _ lowercaseName: StaticString) -> Bool {
        guard bytes.count == lowercaseName.utf8CodeUnitCount else { return false }
        let name = lowercaseName.utf8Start
        for index in 0..<bytes.count where lower(bytes[index]) != name[index] {
            return false
        }
        return true
    }

    /// `name` folded to lowercase ASCII, for comparisons with `equals`.
    static func lowercased(_ name: some Sequence<UInt8>) -> [UInt8] {
        name.map(lower)
    }
}
