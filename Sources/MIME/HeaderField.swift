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
