/// Bytes that live outside this layer, usually a range of an mmap'd message file. The
/// encoder writes only the literal header; the I/O layer sends the bytes themselves.
public struct ExternalBytes: Hashable, Sendable {
    /// An identifier the I/O layer understands (a file descriptor, a message file handle).
    public var source: UInt64
    public var offset: Int
    public var count: Int

    public init(source: UInt64, offset: Int, count: Int) {
        self.source = source
        self.offset = offset
        self.count = count
    }
}

/// Bytes already in IMAP syntax, written verbatim: ENVELOPE and BODYSTRUCTURE come
/// rendered this way from the MIME module.
public struct PreEncodedBytes: Hashable, Sendable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// The value of a body section in a FETCH response.
public enum BodyData: Hashable, Sendable {
    /// `NIL`: the section does not exist.
    case none
    /// Small data held in memory.
    case bytes([UInt8])
    /// Data sent by the I/O layer from elsewhere.
    case external(ExternalBytes)
}

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
    /// `BINARY[part]<origin>`; `literal8` sends `~{n}` (data that may contain NUL).
    case binary(part: [UInt32], origin: UInt64?, BodyData, literal8: Bool)
    case binarySize(part: [UInt32], UInt64)
    /// IMAP4rev1 `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
    case rfc822(BodyData)
    case rfc822Header(BodyData)
    case rfc822Text(BodyData)
}
