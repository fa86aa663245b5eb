/// Limits that keep the parse of a hostile message bounded in time and memory.
public struct ParseLimits: Sendable, Hashable {
    /// Deepest nesting of multipart and message/rfc822 parts that is parsed; a part
    /// deeper than this is treated as an opaque application/octet-stream leaf.
    public var maxDepth: Int
    /// Most parts recorded for one message; boundary lines past it are body content.
    public var maxParts: Int

    public init(maxDepth: Int = 32, maxParts: Int = 10_000) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
    }
}

/// What the parser learned about one part beyond `MessagePart`, kept only until
/// ENVELOPE and BODYSTRUCTURE are rendered.
struct PartContent {
    var contentType: ContentType
    var headers: PartHeaders
    var lines: Int
}

/// One pass over a message, top to bottom, recording every MIME entity.
///
/// Boundaries of all open multiparts are kept on a stack and every line that
/// starts with "--" is checked against them, innermost first: a part ends at the
/// first delimiter of any enclosing multipart, so a missing close delimiter ends
/// the inner multipart instead of swallowing the rest of the message. Each byte
/// is scanned once (plus a line count for message/rfc822 parts), so the parse is
/// linear in the message size for a bounded nesting depth.
struct MessageParser {
    let bytes: MessageBytes
    let limits: ParseLimits
    private(set) var position = 0
    /// "--" + boundary for each open multipart, outermost first.
    private var boundaries: [[UInt8]] = []
    private(set) var parts: [MessagePart] = []
    private(set) var fields: [HeaderField] = []
    private(set) var contents: [PartContent] = []

    init(bytes: MessageBytes, limits: ParseLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private enum Delimiter: Equatable {
        case none
        case open(level: Int)
        case close(level: Int)
    }

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let dash = UInt8(ascii: "-")

    /// Parses the whole message; the top-level entity is part 0.
    mutating func parseMessage() {
        _ = parseEntity(depth: 0, defaultType: .textPlainDefault)
    }

    // MARK: - Entities

    private mutating func parseEntity(depth: Int, defaultType: ContentType) -> Int {
        let index = parts.count
        let headerStart = position
        let fieldStart = fields.count
        let blankLine = parseHeader()
        let header = ByteRange(start: headerStart, end: position)
        let fieldRange = fieldStart..<fields.count
        let headers = PartHeaders(fields: fields, range: fieldRange, bytes: bytes)

        var contentType = headers.contentType
            .flatMap { ContentType.parse(bytes, value: fields[$0].rawValue) } ?? defaultType
        let encodingToken = headers.transferEncoding.map { bytes.firstAtom(of: fields[$0].rawValue) }
        let encoding = TransferEncoding(token: encodingToken)

        var kind = PartKind.leaf
        var boundary: [UInt8]?
        let canNest = depth < limits.maxDepth && parts.count < limits.maxParts
        if contentType.isType("multipart") {
            if let value = contentType.parameter("boundary"), !value.isEmpty, value.count <= 200 {
                if canNest {
                    kind = .multipart
                    boundary = value
                } else {
                    contentType = .opaque
                }
            } else {
                // RFC 2046 §5.1.1 requires a boundary; without one the part is invalid
                // and RFC 2045 §5.2 says to treat it as text/plain.
                contentType = .textPlainDefault
            }
        } else if contentType.isType("message"), contentType.isSubtype("rfc822") || contentType.isSubtype("global") {
            if canNest { kind = .message } else { contentType = .opaque }
        }

        parts.append(MessagePart(
            header: header, body: ByteRange(start: position, end: position), kind: kind,
            encoding: encoding, isText: contentType.isType("text"),
            charset: contentType.parameter("charset").map { String(decoding: FieldName.lowercased($0), as: UTF8.self) } ?? "",
            blankLineLength: blankLine, fieldRange: fieldRange, firstChild: nil, nextSibling: nil))
        contents.append(PartContent(contentType: contentType, headers: headers, lines: 0))

        let bodyStart = position
        switch kind {
        case .leaf:
            let passedLF = skipToDelimiter(ownOpenIsContent: parts.count >= limits.maxParts)
            let end = endBeforeDelimiter(floor: bodyStart)
            // The LF before a delimiter line belongs to the delimiter, not the body.
            var lines = passedLF
            if position < bytes.count, position > bodyStart { lines -= 1 }
            parts[index].body = ByteRange(start: bodyStart, end: end)
            contents[index].lines = max(0, lines)
        case .multipart:
            let digest = contentType.isSubtype("digest")
            parseMultipartBody(index: index, boundary: boundary ?? [], depth: depth,
                               childDefault: digest ? .messageRFC822Default : .textPlainDefault)
            parts[index].body = ByteRange(start: bodyStart, end: endBeforeDelimiter(floor: bodyStart))
        case .message:
            let child = parseEntity(depth: depth + 1, defaultType: .textPlainDefault)
            parts[index].firstChild = child
            let body = ByteRange(start: bodyStart, end: parts[child].body.end)
            parts[index].body = body
            contents[index].lines = bytes.countLF(in: body)
        }
        return index
    }

    /// Preamble, body parts and epilogue of a multipart, from `position`.
    private mutating func parseMultipartBody(index: Int, boundary: [UInt8], depth: Int, childDefault: ContentType) {
        boundaries.append([Self.dash, Self.dash] + boundary)
        let level = boundaries.count - 1
        _ = skipToDelimiter(ownOpenIsContent: false)  // the preamble
        var lastChild: Int?
        var closed = false
        while position < bytes.count {
            let delimiter = self.delimiter(at: position)
            if delimiter == .open(level: level) {
                position = bytes.lineEnd(from: position)
                let child = parseEntity(depth: depth + 1, defaultType: childDefault)
                if let lastChild { parts[lastChild].nextSibling = child } else { parts[index].firstChild = child }
                lastChild = child
            } else {
                closed = delimiter == .close(level: level)
                break
            }
        }
        if closed { position = bytes.lineEnd(from: position) }
        boundaries.removeLast()
        if closed { _ = skipToDelimiter(ownOpenIsContent: false) }  // the epilogue
        if lastChild == nil {
            // IMAP needs at least one body part: an empty text/plain one stands in.
            let child = parts.count
            let at = endBeforeDelimiter(floor: parts[index].header.end)
            parts.append(MessagePart(
                header: ByteRange(start: at, end: at), body: ByteRange(start: at, end: at), kind: .leaf,
                encoding: .sevenBit, isText: true, charset: "us-ascii", blankLineLength: 0,
                fieldRange: fields.count..<fields.count, firstChild: nil, nextSibling: nil))
            contents.append(PartContent(contentType: .textPlainDefault,
                                        headers: PartHeaders(fields: fields, range: 0..<0, bytes: bytes),
                                        lines: 0))
            parts[index].firstChild = child
        }
    }

    // MARK: - Lines

    /// Parses header fields from `position` through the blank line; returns the
    /// blank line's length (0 when the header ended at a boundary or the end).
    private mutating func parseHeader() -> Int {
        var fieldStart = -1
        var nameLength = 0
        var valueStart = 0
        var fieldEnd = 0
        var blankLine = 0
        let checkDelimiters = !boundaries.isEmpty
        while position < bytes.count {
            let lineStart = position
            let first = bytes[lineStart]
            if first == Self.lf {
                blankLine = 1
                break
            }
            if first == Self.cr, lineStart + 1 < bytes.count, bytes[lineStart + 1] == Self.lf {
                blankLine = 2
                break
            }
            if checkDelimiters, first == Self.dash, delimiter(at: lineStart) != .none { break }
            let lineEnd = bytes.lineEnd(from: lineStart)
            position = lineEnd
            if first == 0x20 || first == 0x09 {
                if fieldStart >= 0 { fieldEnd = lineEnd }  // a folded continuation line
                continue
            }
            if fieldStart >= 0 { appendField(fieldStart, nameLength, valueStart, fieldEnd) }
            fieldStart = -1
            // field-name = 1*ftext, optionally followed by white space (obs-optional).
            var scan = lineStart
            while scan < lineEnd {
                let c = bytes[scan]
                if c == UInt8(ascii: ":") || c <= 0x20 || c >= 0x7F { break }
                scan += 1
            }
            let nameEnd = scan
            while scan < lineEnd, bytes[scan] == 0x20 || bytes[scan] == 0x09 { scan += 1 }
            if nameEnd > lineStart, scan < lineEnd, bytes[scan] == UInt8(ascii: ":") {
                fieldStart = lineStart
                nameLength = nameEnd - lineStart
                valueStart = scan + 1
                fieldEnd = lineEnd
            }
        }
        if fieldStart >= 0 { appendField(fieldStart, nameLength, valueStart, fieldEnd) }
        position += blankLine
        return blankLine
    }

    private mutating func appendField(_ start: Int, _ nameLength: Int, _ valueStart: Int, _ end: Int) {
        var valueEnd = end
        if valueEnd > valueStart, bytes[valueEnd - 1] == Self.lf { valueEnd -= 1 }
        if valueEnd > valueStart, bytes[valueEnd - 1] == Self.cr { valueEnd -= 1 }
        fields.append(HeaderField(range: ByteRange(start: start, end: end), nameLength: nameLength,
                                  valueStart: valueStart, valueEnd: max(valueStart, valueEnd)))
    }

    /// Moves `position` to the start of the next delimiter line of any open
    /// multipart (or the end); returns how many LFs it passed.
    private mutating func skipToDelimiter(ownOpenIsContent: Bool) -> Int {
        guard !boundaries.isEmpty else {
            let lines = bytes.countLF(in: ByteRange(start: position, end: bytes.count))
            position = bytes.count
            return lines
        }
        let ownOpen = Delimiter.open(level: boundaries.count - 1)
        var passed = 0
        while position < bytes.count {
            if bytes[position] == Self.dash {
                let delimiter = self.delimiter(at: position)
                if delimiter != .none, !(ownOpenIsContent && delimiter == ownOpen) { return passed }
            }
            guard let lf = bytes.firstLF(from: position) else {
                position = bytes.count
                return passed
            }
            passed += 1
            position = lf + 1
        }
        return passed
    }

    /// Where a part that stops at `position` ends: before the line break that
    /// belongs to the delimiter line (RFC 2046 §5.1.1), never before `floor`.
    private func endBeforeDelimiter(floor: Int) -> Int {
        guard position < bytes.count else { return bytes.count }
        var end = position
        if end > floor, bytes[end - 1] == Self.lf {
            end -= 1
            if end > floor, bytes[end - 1] == Self.cr { end -= 1 }
        }
        return end
    }

    /// Classifies the line at `lineStart` against the open boundaries. As in
    /// Dovecot, the line only has to start with "--" boundary (RFC 2046 forbids
    /// that prefix inside a part, so trailing garbage is tolerated); when several
    /// open boundaries match, the longest wins, then the innermost. A close
    /// delimiter has "--" right after the boundary.
    private func delimiter(at lineStart: Int) -> Delimiter {
        guard !boundaries.isEmpty, lineStart + 1 < bytes.count,
              bytes[lineStart] == Self.dash, bytes[lineStart + 1] == Self.dash
        else { return .none }
        var best = -1
        var level = boundaries.count - 1
        while level >= 0 {
            let boundary = boundaries[level]
            if bytes.hasPrefix(boundary, at: lineStart), best < 0 || boundary.count > boundaries[best].count {
                best = level
            }
            level -= 1
        }
        guard best >= 0 else { return .none }
        let after = lineStart + boundaries[best].count
        if after + 1 < bytes.count, bytes[after] == Self.dash, bytes[after + 1] == Self.dash {
            return .close(level: best)
        }
        return .open(level: best)
    }
}

extension ContentType {
    /// What a part too deep (or past the part limit) to parse is rendered as.
    static let opaque = ContentType(
        type: Array("APPLICATION".utf8), subtype: Array("OCTET-STREAM".utf8), parameters: [], isDefault: true)
}
