/// A message's unique identifier within one UIDVALIDITY (RFC 9051 2.3.1.1).
public typealias UID = UInt32
/// A modification sequence number (RFC 7162); strictly increasing per mailbox.
public typealias ModSeq = UInt64

/// The system flags of RFC 9051 2.3.2, one bit each, as the index stores them.
/// (`\Recent` is gone in IMAP4rev2 and is not kept.)
public struct SystemFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let seen = SystemFlags(rawValue: 1 << 0)
    public static let answered = SystemFlags(rawValue: 1 << 1)
    public static let flagged = SystemFlags(rawValue: 1 << 2)
    public static let deleted = SystemFlags(rawValue: 1 << 3)
    public static let draft = SystemFlags(rawValue: 1 << 4)

    public static let all: SystemFlags = [.seen, .answered, .flagged, .deleted, .draft]

    /// The flag's IMAP spelling, e.g. `\Seen`, in a stable order.
    public var imapNames: [String] {
        var names: [String] = []
        if contains(.seen) { names.append("\\Seen") }
        if contains(.answered) { names.append("\\Answered") }
        if contains(.flagged) { names.append("\\Flagged") }
        if contains(.deleted) { names.append("\\Deleted") }
        if contains(.draft) { names.append("\\Draft") }
        return names
    }

    /// Parses `\Seen` etc. (case-insensitive); nil for anything else.
    public init?(imapName: String) {
        switch imapName.lowercased() {
        case "\\seen": self = .seen
        case "\\answered": self = .answered
        case "\\flagged": self = .flagged
        case "\\deleted": self = .deleted
        case "\\draft": self = .draft
        default: return nil
        }
    }
}

/// The flags of one message as callers see them: system flags and keywords by name.
public struct MessageFlags: Hashable, Sendable, CustomStringConvertible {
    public var system: SystemFlags
    /// Keywords (e.g. `$Forwarded`, `Junk`), compared case-sensitively as stored.
    public var keywords: Set<String>

    public init(_ system: SystemFlags = [], keywords: Set<String> = []) {
        self.system = system
        self.keywords = keywords
    }

    public var description: String {
        (system.imapNames + keywords.sorted()).joined(separator: " ")
    }
}

/// How a STORE changes the flags of each message (RFC 9051 6.4.6).
public enum FlagChange: Sendable, Equatable {
    case add(MessageFlags)
    case remove(MessageFlags)
    case replace(MessageFlags)
}

/// A point in time with the zone it was given in, as INTERNALDATE keeps it.
public struct InternalDate: Hashable, Sendable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64
    /// The zone offset the date was given with, in minutes east of UTC.
    public var zoneMinutes: Int16

    public init(secondsSinceEpoch: Int64, zoneMinutes: Int16 = 0) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.zoneMinutes = zoneMinutes
    }

    /// The current time in UTC.
    public static func now() -> InternalDate {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return InternalDate(secondsSinceEpoch: Int64(spec.tv_sec))
    }

    /// The calendar day (days since 1970-01-01) in the date's own zone, which is
    /// what SEARCH BEFORE/ON/SINCE compare ("disregarding time and timezone").
    public var localDay: Int32 {
        let local = secondsSinceEpoch + Int64(zoneMinutes) * 60
        return Int32((local >= 0 ? local : local - 86_399) / 86_400)
    }

    public static func < (lhs: InternalDate, rhs: InternalDate) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
