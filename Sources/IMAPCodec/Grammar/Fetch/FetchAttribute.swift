/// One data item a FETCH asks for, in IMAP4rev2 and IMAP4rev1 spellings, with the
/// BINARY (RFC 3516) and CONDSTORE (RFC 7162) items.
///
///     fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822.SIZE" /
///                 "BODY" ["STRUCTURE"] / "UID" /
///                 "BODY" section [partial] / "BODY.PEEK" section [partial] /
///                 "BINARY" [".PEEK"] section-binary [partial] /
///                 "BINARY.SIZE" section-binary
///     fetch-att =/ "RFC822" [".HEADER" / ".TEXT"]      ; RFC 3501
///     fetch-att =/ "MODSEQ"                            ; RFC 7162
public enum FetchAttribute: Hashable, Sendable {
    case envelope
    case flags
    case internalDate
    case rfc822Size
    /// `BODY`: the non-extensible body structure.
    case body
    case bodyStructure
    case uid
    /// `BODY[section]<partial>` or, with `peek`, `BODY.PEEK[...]` (does not set \Seen).
    case bodySection(SectionSpecifier, partial: PartialRange?, peek: Bool)
    /// `BINARY[part]<partial>` / `BINARY.PEEK[...]`.
    case binary(part: [UInt32], partial: PartialRange?, peek: Bool)
    case binarySize(part: [UInt32])
    case modificationSequence
    /// IMAP4rev1 `RFC822` (like `BODY[]`, sets \Seen).
    case rfc822
    /// IMAP4rev1 `RFC822.HEADER` (like `BODY.PEEK[HEADER]`).
    case rfc822Header
    /// IMAP4rev1 `RFC822.TEXT` (like `BODY[TEXT]`).
    case rfc822Text

    /// `FAST`: `(FLAGS INTERNALDATE RFC822.SIZE)`.
    public static let fast: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// `ALL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    public static let all: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// `FULL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    public static let full: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}
