import MIME

/// The production `MessageAnalyzer`: the MIME module parses each message once at
/// append time and its serialized `MessageStructure` (header index, ENVELOPE,
/// BODYSTRUCTURE, part ranges) is what the store keeps beside the body, so FETCH
/// never re-parses. Text keys are matched by MIME's search, after RFC 2047,
/// transfer and charset decoding, case-insensitively.
public struct MIMEMessageAnalyzer: MessageAnalyzer {
    public var limits: ParseLimits

    public init(limits: ParseLimits = ParseLimits()) {
        self.limits = limits
    }

    public func analyze(_ message: UnsafeRawBufferPointer) -> MessageAnalysis {
        let structure = MessageStructure(parsing: message, limits: limits)
        // SENT* compare the date as written (its own zone), so only y-m-d is kept.
        let date = structure.searchableHeaderValues(named: "Date", in: message).first.flatMap { MessageDate(parsing: $0) }
        return MessageAnalysis(
            structure: structure.serialized(),
            sentDay: date.map { CivilDate.days(year: $0.year, month: $0.month, day: $0.day) })
    }

    public func matches(_ key: TextSearchKey, message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer) -> Bool {
        // Header keys read only the fields the cached structure locates.
        if let search = Self.headerSearch(key),
           let found = try? search.matches(serialized: structure, message: message) {
            return found
        }
        // A structure cached by an older build (or another analyzer) is re-parsed.
        let parsed = (try? MessageStructure(serialized: structure)) ?? MessageStructure(parsing: message, limits: limits)
        let (text, scope): (String, SearchScope) = switch key {
        case let .from(text): (text, .header("From"))
        case let .to(text): (text, .header("To"))
        case let .cc(text): (text, .header("Cc"))
        case let .bcc(text): (text, .header("Bcc"))
        case let .subject(text): (text, .header("Subject"))
        case let .header(field, text): (text, .header(field))
        case let .body(text): (text, .body)
        case let .text(text): (text, .text)
        }
        return parsed.contains(MIME.SearchKey(text), in: scope, message: message)
    }

    public func matcher(for key: TextSearchKey) -> TextMatcher {
        if let search = Self.bodySearch(key) {
            return { message, structure in
                if let found = try? search.matches(serialized: structure, message: message) { return found }
                return matches(key, message: message, structure: structure)
            }
        }
        guard let search = Self.headerSearch(key) else { return { matches(key, message: $0, structure: $1) } }
        return { message, structure in
            if let found = try? search.matches(serialized: structure, message: message) { return found }
            return matches(key, message: message, structure: structure)
        }
    }

    /// BODY and TEXT scanned from the cached structure's part index, plain text
    /// parts in place (MIME's `BodySearch`).
    private static func bodySearch(_ key: TextSearchKey) -> BodySearch? {
        switch key {
        case let .body(text): BodySearch(text: text, includesHeader: false)
        case let .text(text): BodySearch(text: text, includesHeader: true)
        default: nil
        }
    }

    /// The entry is MIME's `CachedHeaderFields`: the top-level fields clients list
    /// mailboxes by and SEARCH keys name, copied from the message.
    public var makesHeaderCacheEntries: Bool { true }

    public func appendHeaderCacheEntry(
        message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer, to entry: inout [UInt8]
    ) -> Bool {
        (try? CachedHeaderFields.append(serialized: structure, message: message, to: &entry)) ?? false
    }

    public func headerCacheMatcher(for key: TextSearchKey) -> HeaderCacheMatcher? {
        guard let search = Self.headerSearch(key), search.isAnsweredByCache else { return nil }
        return { search.matches(cachedEntry: $0) }
    }

    private static func headerSearch(_ key: TextSearchKey) -> HeaderSearch? {
        switch key {
        case let .from(text): HeaderSearch(field: "From", text: text)
        case let .to(text): HeaderSearch(field: "To", text: text)
        case let .cc(text): HeaderSearch(field: "Cc", text: text)
        case let .bcc(text): HeaderSearch(field: "Bcc", text: text)
        case let .subject(text): HeaderSearch(field: "Subject", text: text)
        case let .header(field, text): HeaderSearch(field: field, text: text)
        case .body, .text: nil
        }
    }
}
