/// A FETCH section specification (RFC 9051 §6.4.5.1): part numbers and an optional
/// text specifier. The module's own small form; the server translates the codec's.
///
/// `RFC822` is `SectionSpec()`, `RFC822.HEADER` is `.header`, `RFC822.TEXT` is
/// `.text` with no part numbers.
public struct SectionSpec: Hashable, Sendable {
    /// What follows the part numbers.
    public enum Text: Hashable, Sendable {
        /// HEADER: the RFC 5322 header, with its blank line.
        case header
        /// HEADER.FIELDS (names): only the named fields, then the blank line.
        case headerFields([String])
        /// HEADER.FIELDS.NOT (names): all but the named fields, then the blank line.
        case headerFieldsNot([String])
        /// TEXT: the body of the message, without its header.
        case text
        /// MIME: the MIME header of a body part.
        case mime
    }

    /// Part numbers (each ≥ 1); empty for the message itself.
    public var part: [Int]
    /// The text specifier, or nil for the part's content.
    public var text: Text?

    public init(part: [Int] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }
}

/// A partial range `<offset.count>` of a section (RFC 9051 §6.4.5).
public struct Partial: Hashable, Sendable {
    /// First octet wanted.
    public var offset: Int
    /// Most octets wanted.
    public var count: Int

    public init(offset: Int, count: Int) {
        self.offset = offset
        self.count = count
    }
}

/// Why a section cannot be served.
public enum SectionError: Error, Hashable, Sendable {
    /// A part number names no part of this message.
    case noSuchPart
    /// HEADER, HEADER.FIELDS(.NOT) or TEXT after part numbers that do not name a
    /// message/rfc822 or message/global part.
    case notAMessage
    /// MIME without part numbers.
    case mimeNeedsPart
}

/// The bytes of a section: ranges of the original message, sent one after the
/// other. One range for most sections; for HEADER.FIELDS(.NOT) one per field run
/// plus the blank line.
public struct SectionRanges: Hashable, Sendable {
    /// The ranges, in order, never overlapping.
    public private(set) var ranges: [ByteRange]
    /// Total number of bytes.
    public private(set) var count: Int

    public init(_ ranges: [ByteRange]) {
        var merged: [ByteRange] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges where !range.isEmpty {
            if let last = merged.last, last.end == range.start {
                merged[merged.count - 1].end = range.end
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        self.count = merged.reduce(0) { $0 + $1.count }
    }

    /// The bytes `<offset.count>` of the section: empty when `offset` is past the
    /// end, truncated at the end (RFC 9051 §6.4.5, BODY[]<partial>).
    public func applying(_ partial: Partial) -> SectionRanges {
        var skip = max(0, partial.offset)
        var want = max(0, partial.count)
        var result: [ByteRange] = []
        for range in ranges where want > 0 {
            if skip >= range.count {
                skip -= range.count
                continue
            }
            let start = range.start + skip
            let end = min(range.end, start + want)
            result.append(ByteRange(start: start, end: end))
            want -= end - start
            skip = 0
        }
        return SectionRanges(result)
    }
}
