/// Case folding of UTF-8 text for SEARCH's case-insensitive substring match
/// (RFC 9051 §6.4.4: "case-insensitive"): ASCII letters are lowercased in place,
/// other scalars through their Unicode lowercase mapping, invalid UTF-8 becomes
/// U+FFFD.
enum CaseFolding {
    static func fold(_ utf8: [UInt8]) -> [UInt8] {
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.map(FieldName.lower) }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
            if scalar.isASCII {
                output.append(FieldName.lower(UInt8(scalar.value)))
            } else if scalar.properties.changesWhenLowercased {
                output += scalar.properties.lowercaseMapping.utf8
            } else {
                output += String(scalar).utf8
            }
        }
        return output
    }
}
