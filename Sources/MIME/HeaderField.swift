/// One header field of a message or MIME part, as byte offsets into the message.
///
/// `range` covers the whole field including folded continuation lines and the final
/// line break, so `BODY[HEADER.FIELDS (…)]` is the concatenation of field ranges.
public struct HeaderField: Hashable, Sendable {
    /// The whole field, from the first byte of its name through its line break.
    public var range: ByteRange
    /// Length of the field name (the bytes before optional white space and ':').
    public var nameLength: Int
    /// Offset of the first byte after the ':'.
    public var valueStart: Int

    /// The field name's bytes.
    public var name: ByteRange { ByteRange(start: range.start, end: range.start + nameLength) }

    /// Offset where the value ends: before the field's final line break.
    public var valueEnd: Int

    /// The raw value: after ':' up to, not including, the final line break. Folding
    /// line breaks inside the value stay in it.
    public var rawValue: ByteRange { ByteRange(start: valueStart, end: valueEnd) }

    /// A field over `range` whose name is `nameLength` bytes and whose value spans
    /// `valueStart..<valueEnd`.
    public init(range: ByteRange, nameLength: Int, valueStart: Int, valueEnd: Int) {
        self.range = range
        self.nameLength = nameLength
        self.valueStart = valueStart
        self.valueEnd = valueEnd
    }
}

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
