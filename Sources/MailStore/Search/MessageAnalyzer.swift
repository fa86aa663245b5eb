/// The seam between the store and the MIME module. At APPEND (and import) the
/// store calls `analyze` once and keeps the returned structure bytes beside the
/// body, opaque to the store; SEARCH text keys call `matches` with the message and
/// those bytes. The MIME module provides the production analyzer (ENVELOPE,
/// BODYSTRUCTURE, decoded text); `PlainMessageAnalyzer` works without it.
public protocol MessageAnalyzer: Sendable {
    /// Parses a message (CRLF-terminated RFC 5322 bytes).
    func analyze(_ message: UnsafeRawBufferPointer) -> MessageAnalysis
    /// Whether the message matches a text search key; `structure` is what
    /// `analyze` returned for it.
    func matches(_ key: TextSearchKey, message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer) -> Bool
    /// `matches` for one key, prepared once per SEARCH and called for every
    /// message it reaches, so work that depends only on the key is done once.
    func matcher(for key: TextSearchKey) -> TextMatcher
    /// Whether `appendHeaderCacheEntry` makes entries (else mailboxes keep no header cache).
    var makesHeaderCacheEntries: Bool { get }
    /// Appends the header cache entry of a message (the bytes a mailbox's header
    /// cache keeps for it, opaque to the store) to `entry`; false, with `entry`
    /// unchanged, when the message gets none. Analyzers without a header cache
    /// format keep the default, which gives none.
    func appendHeaderCacheEntry(message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer, to entry: inout [UInt8]) -> Bool
    /// A matcher that answers `key` from a message's header cache entry alone, with
    /// the answer `matches` gives; nil when the key needs more than the entry holds.
    func headerCacheMatcher(for key: TextSearchKey) -> HeaderCacheMatcher?
}

/// Whether a message, given its header cache entry, matches a text key.
public typealias HeaderCacheMatcher = (_ entry: UnsafeRawBufferPointer) -> Bool

/// Whether a message (its bytes, its structure bytes) matches a text key.
public typealias TextMatcher = (_ message: UnsafeRawBufferPointer, _ structure: UnsafeRawBufferPointer) -> Bool

extension MessageAnalyzer {
    public func matcher(for key: TextSearchKey) -> TextMatcher {
        { matches(key, message: $0, structure: $1) }
    }

    public var makesHeaderCacheEntries: Bool { false }

    public func appendHeaderCacheEntry(
        message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer, to entry: inout [UInt8]
    ) -> Bool {
        false
    }

    public func headerCacheMatcher(for key: TextSearchKey) -> HeaderCacheMatcher? { nil }
}

/// What the analyzer hands back at append time.
public struct MessageAnalysis: Sendable, Equatable {
    /// Cached beside the body; the store never looks inside.
    public var structure: [UInt8]
    /// The day of the `Date:` header in its own zone (days since 1970-01-01), for
    /// SENTBEFORE/SENTON/SENTSINCE; nil if the header is missing or unreadable.
    public var sentDay: Int32?

    public init(structure: [UInt8], sentDay: Int32?) {
        self.structure = structure
        self.sentDay = sentDay
    }
}

/// The SEARCH keys that look at message text (RFC 9051 6.4.4). Matching is
/// substring, case-insensitive in the ASCII range, after decoding.
public enum TextSearchKey: Hashable, Sendable {
    case from(String)
    case to(String)
    case cc(String)
    case bcc(String)
    case subject(String)
    /// HEADER field-name string; an empty string matches any message with the field.
    case header(field: String, value: String)
    case body(String)
    case text(String)
}
