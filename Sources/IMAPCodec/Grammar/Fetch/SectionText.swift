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
