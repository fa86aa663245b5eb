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
