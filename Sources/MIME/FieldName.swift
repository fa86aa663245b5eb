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

extension FieldName {
    /// True when `bytes` equals `name` ignoring ASCII case; allocates nothing, so
    /// the names of a command can be compared with every message's fields as the
    /// client sent them.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == bytes.count else { return false }
        var index = 0
        for byte in utf8 {
            if lower(byte) != lower(bytes[index]) { return false }
            index += 1
        }
        return true
    }
}
