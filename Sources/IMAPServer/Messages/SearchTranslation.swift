import IMAPCodec
import MailStore

/// Turns the codec's SEARCH criteria into the store's, resolving what only the
/// session knows: the saved result `$` (RFC 5182) and which messages are recent
/// (IMAP4rev1 NEW / OLD / RECENT).
struct SearchTranslation {
    /// UIDs of the last `SEARCH RETURN (SAVE)`; empty before any (RFC 5182 2.1).
    var savedResult = UIDSet()
    /// UIDs this session reports as `\Recent`.
    var recentUIDs = UIDSet()
    /// Maps sequence ranges to UIDs by the client's numbering; without it the
    /// index's numbering is used (the same when no expunge is pending).
    var resolveSequenceNumbers: (([IMAPCodec.SequenceRange]) -> UIDSet)?

    /// The charsets SEARCH accepts; `[BADCHARSET]` lists them otherwise.
    static let supportedCharsets = ["UTF-8", "US-ASCII"]

    /// Checks a SEARCH CHARSET. US-ASCII is a subset of UTF-8, and the codec keeps
    /// strings as UTF-8 already, so nothing needs converting.
    static func checkCharset(_ charset: String?) throws(MessageCommandError) {
        guard let charset else { return }
        guard supportedCharsets.contains(where: { $0.caseInsensitiveCompare(charset) }) else {
            throw .badCharset(charset)
        }
    }

    func storeKey(_ key: IMAPCodec.SearchKey) -> StoreSearchKey {
        switch key {
        case .all: .all
        case .answered: .answered
        case .deleted: .deleted
        case .draft: .draft
        case .flagged: .flagged
        case .seen: .seen
        case .unanswered: .unanswered
        case .undeleted: .undeleted
        case .undraft: .undraft
        case .unflagged: .unflagged
        case .unseen: .unseen
        case .recent: uidKey(recentUIDs)
        case .old: .not(uidKey(recentUIDs))
        case .new: .and([uidKey(recentUIDs), .unseen])
        case let .keyword(flag): flagKey(flag, negated: false)
        case let .unkeyword(flag): flagKey(flag, negated: true)
        case let .bcc(text): .text(.bcc(text))
        case let .cc(text): .text(.cc(text))
        case let .from(text): .text(.from(text))
        case let .to(text): .text(.to(text))
        case let .subject(text): .text(.subject(text))
        case let .body(text): .text(.body(text))
        case let .text(text): .text(.text(text))
        case let .header(field, value): .text(.header(field: field, value: value))
        case let .before(date): .before(day: Self.day(date))
        case let .on(date): .on(day: Self.day(date))
        case let .since(date): .since(day: Self.day(date))
        case let .sentBefore(date): .sentBefore(day: Self.day(date))
        case let .sentOn(date): .sentOn(day: Self.day(date))
        case let .sentSince(date): .sentSince(day: Self.day(date))
        case let .larger(size): size >= UInt64(Int.max) ? .not(.all) : .larger(Int(size))
        case let .smaller(size): .smaller(size >= UInt64(Int.max) ? Int.max : Int(size))
        case let .uid(set): setKey(set, byUID: true)
        case let .sequenceNumbers(set): setKey(set, byUID: false)
        case let .not(inner): .not(storeKey(inner))
        case let .or(a, b): .or(storeKey(a), storeKey(b))
        case let .and(keys): .and(keys.map(storeKey))
        case let .modificationSequence(value, _): .modSeq(value)
        }
    }

    /// KEYWORD with a system flag name (`KEYWORD \Seen`) means the flag itself, as
    /// clients sometimes send it so.
    private func flagKey(_ flag: Flag, negated: Bool) -> StoreSearchKey {
        let positive: StoreSearchKey? = switch SystemFlags(imapName: flag.rawValue) {
        case .seen?: .seen
        case .answered?: .answered
        case .flagged?: .flagged
        case .deleted?: .deleted
        case .draft?: .draft
        default: nil
        }
        if let positive { return negated ? .not(positive) : positive }
        return negated ? .unkeyword(flag.rawValue) : .keyword(flag.rawValue)
    }

    private func setKey(_ set: SequenceSet, byUID: Bool) -> StoreSearchKey {
        switch set {
        case .lastSearchResult:
            // `$` always holds UIDs, also in a sequence-number position (RFC 5182 2.1).
            return uidKey(savedResult)
        case let .ranges(ranges):
            if !byUID, let resolveSequenceNumbers { return uidKey(resolveSequenceNumbers(ranges)) }
            let converted = ranges.map(Self.storeRange)
            return byUID ? .uid(converted) : .sequenceSet(converted)
        }
    }

    private func uidKey(_ uids: UIDSet) -> StoreSearchKey {
        uids.isEmpty ? .not(.all) : .uid(uids.ranges.map { StoreSequenceRange($0) })
    }

    static func storeRange(_ range: IMAPCodec.SequenceRange) -> StoreSequenceRange {
        StoreSequenceRange(bound(range.first), bound(range.last))
    }

    private static func bound(_ number: SequenceNumber) -> StoreSequenceRange.Bound {
        switch number {
        case let .number(value): .number(value)
        case .last: .last
        }
    }

    static func day(_ date: IMAPDate) -> Int32 {
        CivilDate.days(year: date.year, month: date.month, day: date.day)
    }
}

private extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
