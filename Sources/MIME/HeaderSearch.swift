/// SEARCH HEADER / FROM / TO / CC / BCC / SUBJECT over stored messages, answered
/// from the top-level header fields that serialized structure bytes locate,
/// without decoding the structure; the answer is the one
/// `MessageStructure.contains(_:in: .header(name), message:)` gives.
///
/// Most values need no decoding at all: an unstructured value in plain ASCII
/// without `=` (so without encoded-words) searches as itself, unfolded and
/// lowercased, which is compared in place. Address fields search a normalized
/// form; for them the same in-place scan only rules a message out (when the key
/// cannot be in the normalized text because it is not in the raw value), and
/// whatever it cannot rule out goes through the full normalization.
///
/// Make one per SEARCH key and use it for every message: preparing it folds the
/// key and classifies the field.
public struct HeaderSearch: Sendable {
    /// The field searched, as the client named it.
    public let fieldName: String
    /// The folded text searched for.
    public let key: SearchKey
    private let isAddressField: Bool
    let lowercasedName: [UInt8]
    /// The field's kind in a header cache entry, nil when the cache does not keep it.
    let cacheKind: UInt8?
    /// The key may be ruled out in a raw address value: it is made of characters
    /// that address normalization neither adds, drops nor joins (letters, digits
    /// and atom specials other than the dot), and it is not part of the stand-ins
    /// the parser writes for a missing local part or domain.
    private let screensAddresses: Bool

    public init(field: String, text: String) {
        fieldName = field
        key = SearchKey(text)
        lowercasedName = FieldName.lowercased(field.utf8)
        cacheKind = CachedHeaderFields.kinds[lowercasedName]
        isAddressField = MessageStructure.addressFields.contains(lowercasedName)
        let folded = key.folded
        screensAddresses = isAddressField && folded.allSatisfy(Self.isScreenable)
            && !Self.contains(CaseFolding.fold(EnvelopeAddress.missingMailbox), folded)
            && !Self.contains(CaseFolding.fold(EnvelopeAddress.missingDomain), folded)
    }

    /// True when the top-level header of `message` has a field named `fieldName`
    /// whose searchable value contains the key. Throws when `serialized` is not a
    /// structure of this format for these bytes; the caller then decodes or parses.
    public func matches(
        serialized: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(StructureDecodingError) -> Bool {
        let bytes = MessageBytes(message)
        var found = false
        _ = try MessageStructure.forEachTopLevelField(serialized: serialized, messageSize: bytes.count) { field in
            guard FieldName.equals(bytes.buffer(field.name), lowercasedName) else { return false }
            found = valueMatches(field, bytes)
            return found
        }
        return found
    }

    func valueMatches(_ field: HeaderField, _ bytes: MessageBytes) -> Bool {
        if key.folded.isEmpty { return true }
        let value = isAddressField ? field.rawValue : bytes.trimmed(field.rawValue)
        let plain = Self.scanPlain(bytes.buffer(value), strict: isAddressField, dropSpace: isAddressField) { haystack in
            key.folded.withUnsafeBufferPointer { SearchKey.find($0, in: haystack) }
        }
        switch plain {
        case .some(let inRaw) where !isAddressField:
            return inRaw  // the raw value is what SEARCH compares: exact
        case .some(false) where screensAddresses:
            return false  // not even in the raw value: not in its normalized form
        default:
            let searchable = MessageStructure.searchableValue(of: field, isAddressField: isAddressField, bytes)
            return key.isFound(in: searchable)
        }
    }

    /// Calls `search` with `value` lowercased and without line breaks (and without
    /// spaces and tabs if `dropSpace`), in a scratch buffer that is not the heap for
    /// short values; nil, without calling it, when the value is not plain: a byte
    /// outside ASCII or `=` (a possible encoded-word), and when `strict` also a
    /// quote, backslash or parenthesis (quoting, escapes and comments change what
    /// address normalization keeps).
    static func scanPlain(
        _ value: UnsafeBufferPointer<UInt8>, strict: Bool, dropSpace: Bool,
        _ search: (UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool? {
        guard !value.isEmpty else { return search(value) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: value.count) { scratch -> Bool? in
            var length = 0
            for byte in value {
                if byte >= 0x80 || byte == UInt8(ascii: "=") { return nil }
                if strict, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "(") {
                    return nil
                }
                if byte == 0x0D || byte == 0x0A { continue }
                if dropSpace, byte == 0x20 || byte == 0x09 { continue }
                scratch[length] = FieldName.lower(byte)
                length += 1
            }
            return search(UnsafeBufferPointer(rebasing: scratch[0..<length]))
        }
    }

    /// Letters, digits and the atext specials other than `.`: characters that an
    /// address's normalized form has only where the raw value has them, in runs the
    /// raw value also has (up to white space).
    private static func isScreenable(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: Array("!#$%&'*+-/?^_`{|}~".utf8).contains(byte)
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        SearchKey(String(decoding: needle, as: UTF8.self)).isFound(in: haystack)
    }
}
