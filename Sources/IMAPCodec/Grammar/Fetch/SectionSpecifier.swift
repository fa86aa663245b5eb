/// Which part of a message a `BODY[...]` or `BINARY[...]` item names.
///
///     section         = "[" [section-spec] "]"
///     section-spec    = section-msgtext / (section-part ["." section-text])
///     section-part    = nz-number *("." nz-number)
public struct SectionSpecifier: Hashable, Sendable {
    /// The body part path (`1.2` is `[1, 2]`); empty for the whole message.
    public var part: [UInt32]
    public var text: SectionText?

    public init(part: [UInt32] = [], text: SectionText? = nil) {
        self.part = part
        self.text = text
    }

    /// `[]`: the whole message.
    public static let whole = SectionSpecifier()
}

/// The text selector after a part path.
///
///     section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
///     section-text    = section-msgtext / "MIME"
public enum SectionText: Hashable, Sendable {
    case header
    /// `HEADER.FIELDS (names)`; field names as the client wrote them.
    case headerFields([String])
    case headerFieldsNot([String])
    case text
    /// `MIME`: only after a part number.
    case mime
}

/// A byte window of a section: `<offset.count>` in a request.
///
///     partial = "<" number64 "." nz-number64 ">"
public struct PartialRange: Hashable, Sendable {
    public var offset: UInt64
    public var count: UInt64

    public init(offset: UInt64, count: UInt64) {
        self.offset = offset
        self.count = count
    }
}
