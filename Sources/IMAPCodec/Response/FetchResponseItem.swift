/// One attribute of a FETCH response.
///
///     msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")" / fetch-mod-resp
///     msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time /
///                       "RFC822.SIZE" SP number64 / "BODY" ["STRUCTURE"] SP body /
///                       "BODY" section ["<" number ">"] SP nstring /
///                       "BINARY" section-binary SP (nstring / literal8) /
///                       "BINARY.SIZE" section-binary SP number / "UID" SP uniqueid
public enum FetchResponseItem: Hashable, Sendable {
    case flags([Flag])
    case uid(UInt32)
    case internalDate(IMAPDateTime)
    case rfc822Size(UInt64)
    /// `MODSEQ (n)` (CONDSTORE).
    case modificationSequence(UInt64)
    case envelope(PreEncodedBytes)
    /// `BODY`: the non-extensible structure.
    case body(PreEncodedBytes)
    case bodyStructure(PreEncodedBytes)
    /// `BODY[section]<origin>`; origin is the partial offset when one was asked for.
    case bodySection(SectionSpecifier, origin: UInt64?, BodyData)
    /// `BODY[section]<origin>` with the label (everything before the data)
    /// encoded once for all the messages of a FETCH
    /// (``ResponseEncoder/encodedBodySectionLabel(_:origin:)``), so a long
    /// `HEADER.FIELDS (…)` list is not encoded again for every message. It goes
    /// on the wire exactly as ``bodySection(_:origin:_:)`` does.
    case bodySectionLabeled(PreEncodedBytes, BodyData)
    /// `BINARY[part]<origin>`; `literal8` sends `~{n}` (data that may contain NUL).
    case binary(part: [UInt32], origin: UInt64?, BodyData, literal8: Bool)
    case binarySize(part: [UInt32], UInt64)
    /// IMAP4rev1 `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
    case rfc822(BodyData)
    case rfc822Header(BodyData)
    case rfc822Text(BodyData)
}
