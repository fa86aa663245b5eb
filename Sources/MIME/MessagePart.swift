/// How a part relates to the parts below it, which decides section numbering.
public enum PartKind: UInt8, Sendable {
    /// A part with content and no sub-parts (text, image, application, ...).
    case leaf = 0
    /// A multipart/* part: its children are the body parts between boundaries.
    case multipart = 1
    /// A message/rfc822 or message/global part: its one child is the encapsulated
    /// message's top-level entity.
    case message = 2
}

/// A Content-Transfer-Encoding (RFC 2045 §6).
public enum TransferEncoding: UInt8, Sendable {
    case sevenBit = 0
    case eightBit = 1
    case binary = 2
    case base64 = 3
    case quotedPrintable = 4
    /// Anything else: BINARY[] on such a part is RFC 9051's `UNKNOWN-CTE` error.
    case unknown = 5

    init(token: [UInt8]?) {
        guard let token else { self = .sevenBit; return }
        switch String(decoding: FieldName.lowercased(token), as: UTF8.self) {
        case "7bit", "": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .unknown
        }
    }
}

/// One MIME entity of a message: the top-level message, a body part of a
/// multipart, or the message encapsulated in a message/rfc822 part.
///
/// For the top-level entity and an encapsulated message, `header` is the RFC 5322
/// header; for a body part it is the MIME header after its boundary line.
public struct MessagePart: Hashable, Sendable {
    /// The header block, including the blank line that ends it (when present).
    public var header: ByteRange
    /// The body: everything after the header up to the part's end (for a body part,
    /// up to the line break before the next boundary line, RFC 2046 §5.1.1).
    public var body: ByteRange
    /// Leaf, multipart or message.
    public var kind: PartKind
    /// The declared Content-Transfer-Encoding (7bit when absent).
    public var encoding: TransferEncoding
    /// True for text/* parts (including the text/plain default): searchable text.
    public var isText: Bool
    /// The charset parameter in lowercase ASCII, or empty when none was given.
    public var charset: String
    /// Length of the blank line ending the header: 2 (CRLF), 1 (bare LF) or 0 (none).
    public var blankLineLength: Int
    /// This part's header fields: `fields[fieldRange]` of the owning structure.
    public var fieldRange: Range<Int>
    /// Index of the first child part, or nil for a leaf.
    public var firstChild: Int?
    /// Index of the next sibling inside the same multipart, or nil.
    public var nextSibling: Int?

    /// The header without its ending blank line.
    public var headerFields: ByteRange {
        ByteRange(start: header.start, end: header.end - blankLineLength)
    }
}
