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
    /// exported to Swift without _GNU_SOURCE). That is fast on text but O(n·m) on
    /// hostile input ("aaaa…b" in "aaaa…"), so after a budget of candidate
    /// positions it switches to Knuth–Morris–Pratt, which is linear.
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress else { return false }
        let first = Int32(pattern[0])
        var offset = 0
        let lastStart = haystack.count - needle.count
        var budget = haystack.count / max(1, needle.count) + 64
        while offset <= lastStart {
            guard let hit = memchr(base + offset, first, lastStart - offset + 1) else { return false }
            let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, pattern, needle.count) == 0 { return true }
            offset = position + 1
            budget -= 1
            if budget == 0 {
                return knuthMorrisPratt(needle, in: UnsafeBufferPointer(rebasing: haystack[offset...]))
            }
        }
        return false
    }

    private static func knuthMorrisPratt(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        // failure[i]: length of the longest proper border of needle[0...i].
        var failure = [Int](repeating: 0, count: needle.count)
        var border = 0
        for index in 1..<max(1, needle.count) {
            while border > 0, needle[index] != needle[border] { border = failure[border - 1] }
            if needle[index] == needle[border] { border += 1 }
            failure[index] = border
        }
        var matched = 0
        for byte in haystack {
            while matched > 0, byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
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
