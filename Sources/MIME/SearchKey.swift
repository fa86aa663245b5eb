import Glibc

/// A SEARCH string prepared once and matched against many messages: UTF-8,
/// case-folded like the text it is compared with.
public struct SearchKey: Hashable, Sendable {
    /// The folded UTF-8 bytes that are searched for.
    public let folded: [UInt8]

    /// A key for `text` (the client's string after charset conversion to UTF-8).
    public init(_ text: String) {
        folded = CaseFolding.fold(Array(text.utf8))
    }

    /// True when `text` (already folded, as every `searchable…` function returns)
    /// contains the key. The empty key is found in any text.
    public func isFound(in text: [UInt8]) -> Bool {
        guard !folded.isEmpty else { return true }
        guard text.count >= folded.count else { return false }
        return text.withUnsafeBufferPointer { haystack in
            folded.withUnsafeBufferPointer { needle in
                Self.find(needle, in: haystack)
            }
        }
    }
}

extension SearchKey {
    /// memchr for the first byte, memcmp for the rest (glibc's memmem is not
    /// exported to Swift without _GNU_SOURCE).
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress else { return false }
        let first = Int32(pattern[0])
        var offset = 0
        let lastStart = haystack.count - needle.count
        while offset <= lastStart {
            guard let hit = memchr(base + offset, first, lastStart - offset + 1) else { return false }
            let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, pattern, needle.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }
}

/// Where SEARCH looks for a string (RFC 9051 §6.4.4).
public enum SearchScope: Hashable, Sendable {
    /// HEADER field-name (and FROM, TO, CC, BCC, SUBJECT): the values of the named
    /// top-level header fields. An empty key matches when the field exists.
    case header(String)
    /// BODY: the text parts' content, and the headers of attached messages.
    case body
    /// TEXT: the top-level header and the body.
    case text
}
