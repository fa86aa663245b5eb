/// SEARCH BODY and TEXT over stored messages, answered from the parts that
/// serialized structure bytes locate, without decoding the structure; the answer
/// is the one `MessageStructure.contains(_:in: .body or .text, message:)` gives.
///
/// Most text parts need no decoding: a 7bit, 8bit or binary part in US-ASCII,
/// UTF-8 or ISO-8859-1 (or with no charset) is scanned in place for an ASCII key
/// with `ASCIICaseInsensitiveFinder`. That answer is exact: a match in the raw
/// bytes is a run of ASCII bytes, which conversion to UTF-8 and case folding keep
/// as they are; and a part of ASCII bytes alone folds to its lowercased self. A
/// part that holds other bytes and no raw match is decoded after all (a few
/// non-ASCII letters fold to ASCII ones: KELVIN SIGN to `k`, dotted capital I to
/// `i` + U+0307). Base64 and quoted-printable parts, other charsets and keys
/// with non-ASCII letters go through the part's full decoding, one part at a
/// time. A message with an attached message (whose header BODY searches) is
/// answered by the decoded structure.
///
/// Make one per SEARCH key and use it for every message.
public struct BodySearch: Sendable {
    /// The folded text searched for.
    public let key: SearchKey
    /// True for TEXT (the top-level header too), false for BODY.
    public let includesHeader: Bool
    /// The in-place scanner, when the key is ASCII and not empty.
    private let finder: ASCIICaseInsensitiveFinder?

    public init(text: String, includesHeader: Bool) {
        key = SearchKey(text)
        self.includesHeader = includesHeader
        finder = ASCIICaseInsensitiveFinder(lowercasedNeedle: key.folded)
    }

    /// Whether `message` contains the key in its body (and, for TEXT, its
    /// top-level header). Throws when `serialized` is not a structure of this
    /// format for these bytes; the caller then decodes or parses.
    public func matches(
        serialized: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(StructureDecodingError) -> Bool {
        let bytes = MessageBytes(message)
        var needsStructure = false
        let found = try MessageStructure.forEachPart(serialized: serialized, messageSize: bytes.count) { part, index, charset in
            if part.kind == .message, part.firstChild != nil {
                needsStructure = true  // the attached message's header needs its fields
                return false
            }
            guard part.kind == .leaf, part.isText, index > 0 || part.body.count > 0 else { return false }
            return partMatches(part, charset: charset, bytes)
        }
        if found { return true }
        if needsStructure {
            let structure = try MessageStructure(serialized: serialized)
            return structure.contains(key, in: includesHeader ? .text : .body, message: message)
        }
        guard includesHeader else { return false }
        var header: [UInt8] = []
        _ = try MessageStructure.forEachTopLevelField(serialized: serialized, messageSize: bytes.count) { field in
            MessageStructure.appendSearchableLine(of: field, to: &header, bytes)
            return false
        }
        return key.isFound(in: CaseFolding.fold(header))
    }

    private func partMatches(_ part: MessagePart, charset: UnsafeRawBufferPointer, _ bytes: MessageBytes) -> Bool {
        if let finder, Self.isIdentity(part.encoding), Self.isASCIICompatible(charset) {
            let raw = bytes.buffer(part.body)
            if finder.isFound(in: raw) { return true }
            if !Self.containsNonASCII(raw) { return false }
        }
        var decoded = part
        decoded.charset = String(decoding: charset, as: UTF8.self)
        return key.isFound(in: MessageStructure.searchableText(of: decoded, bytes))
    }

    /// Transfer encodings whose bytes are the content (an unknown one is searched
    /// as it is, as `searchableText` does).
    private static func isIdentity(_ encoding: TransferEncoding) -> Bool {
        encoding != .base64 && encoding != .quotedPrintable
    }

    /// Charsets that `CharsetConverter` turns into UTF-8 keeping every ASCII byte
    /// as it is (names as the parser stores them, lowercase).
    private static let asciiCompatibleCharsets: [[UInt8]] = [
        "", "us-ascii", "utf-8", "utf8", "ascii", "x-unknown", "unknown-8bit",
        "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1",
    ].map { Array($0.utf8) }

    private static func isASCIICompatible(_ charset: UnsafeRawBufferPointer) -> Bool {
        asciiCompatibleCharsets.contains { name in
            name.count == charset.count && name.withUnsafeBytes { $0.elementsEqual(charset) }
        }
    }

    private static func containsNonASCII(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = raw.baseAddress else { return false }
        var index = 0
        var high = SIMD16<UInt8>(repeating: 0)
        while index + 16 <= raw.count {
            high |= UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self)
            index += 16
        }
        if high.max() >= 0x80 { return true }
        while index < raw.count {
            if base[index] >= 0x80 { return true }
            index += 1
        }
        return false
    }
}

extension MessageStructure {
    /// Calls `visit` with each part (its fields range left empty), its index and
    /// its charset bytes, in order, until it returns true (then returns true),
    /// reading only the part index of `serialized()`'s output. Checks every part
    /// as `init(serialized:)` does, and that the structure was made from a message
    /// of `messageSize` bytes (else `.corrupt`), so every range handed to `visit`
    /// lies inside the message.
    static func forEachPart(
        serialized: UnsafeRawBufferPointer, messageSize: Int,
        _ visit: (MessagePart, Int, UnsafeRawBufferPointer) -> Bool
    ) throws(StructureDecodingError) -> Bool {
        var reader = try partIndexReader(serialized: serialized, messageSize: messageSize)
        let partCount = try reader.varint()
        guard partCount >= 1, partCount <= serialized.count else { throw .corrupt }
        var previousFieldEnd = 0
        for index in 0..<partCount {
            let (part, charsetRange) = try readPartRecord(
                &reader, index: index, partCount: partCount, size: messageSize, previousFieldEnd: &previousFieldEnd)
            let charset = UnsafeRawBufferPointer(rebasing: serialized[charsetRange])
            if visit(part, index, charset) { return true }
        }
        return false
    }
}
