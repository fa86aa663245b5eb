/// A message flag: a system flag (`\Seen`) or a keyword (`$Forwarded`, `work`).
///
/// The spelling is kept as the client sent it; comparison is case-insensitive, as
/// RFC 9051 section 2.3.2 requires for flags.
///
///     flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" /
///            flag-keyword / flag-extension
public struct Flag: Hashable, Sendable, CustomStringConvertible {
    /// The flag as written on the wire, including a leading `\` for system flags.
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public static let answered = Flag("\\Answered")
    public static let flagged = Flag("\\Flagged")
    public static let deleted = Flag("\\Deleted")
    public static let seen = Flag("\\Seen")
    public static let draft = Flag("\\Draft")
    /// `\Recent`: deprecated by RFC 9051, still reported to IMAP4rev1 clients.
    public static let recent = Flag("\\Recent")
    /// `\*` in PERMANENTFLAGS: clients may create new keywords.
    public static let wildcard = Flag("\\*")

    /// True for `\`-prefixed flags; false for keywords.
    public var isSystemFlag: Bool { rawValue.utf8.first == UInt8(ascii: "\\") }

    public var description: String { rawValue }

    public static func == (lhs: Flag, rhs: Flag) -> Bool {
        asciiCaseInsensitiveEqual(lhs.rawValue, rhs.rawValue)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in rawValue.utf8 { hasher.combine(asciiUppercased(byte)) }
    }
}

@inline(__always)
func asciiUppercased(_ byte: UInt8) -> UInt8 {
    byte &- (byte >= 0x61 && byte <= 0x7A ? 0x20 : 0)
}

func asciiCaseInsensitiveEqual(_ lhs: String, _ rhs: String) -> Bool {
    var left = lhs.utf8.makeIterator()
    var right = rhs.utf8.makeIterator()
    while true {
        switch (left.next(), right.next()) {
        case (nil, nil): return true
        case let (l?, r?) where asciiUppercased(l) == asciiUppercased(r): continue
        default: return false
        }
    }
}
