/// A mailbox's keywords, interned: each distinct keyword gets a bit, and a message
/// keeps its keywords as one `UInt64`. That caps a mailbox at 64 keywords
/// (Dovecot's index has a similar per-mailbox table); past it a new keyword is
/// refused with `.tooManyKeywords`, and the server drops `\*` from PERMANENTFLAGS.
struct KeywordTable: Sendable, Equatable {
    static let capacity = 64

    private(set) var names: [String] = []
    private var bits: [String: Int] = [:]

    var isFull: Bool { names.count >= Self.capacity }

    func bit(of name: String) -> Int? { bits[name] }

    /// Adds a keyword; returns its bit. Callers check `isFull` first.
    mutating func define(_ name: String) -> Int {
        if let bit = bits[name] { return bit }
        precondition(!isFull, "keyword table full")
        names.append(name)
        bits[name] = names.count - 1
        return names.count - 1
    }

    func mask(of keywords: Set<String>) -> UInt64? {
        var mask: UInt64 = 0
        for keyword in keywords {
            guard let bit = bits[keyword] else { return nil }
            mask |= 1 << UInt64(bit)
        }
        return mask
    }

    func keywords(in mask: UInt64) -> Set<String> {
        var result = Set<String>()
        var remaining = mask
        while remaining != 0 {
            let bit = remaining.trailingZeroBitCount
            result.insert(names[bit])
            remaining &= remaining - 1
        }
        return result
    }
}
