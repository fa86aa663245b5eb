/// A LIST/LSUB pattern over store names: `*` matches anything, `%` anything but
/// the hierarchy delimiter (RFC 9051 section 6.3.9). A leading `INBOX` matches in
/// any case, as INBOX is case-insensitive.
struct MailboxPattern: Sendable {
    private let scalars: [Unicode.Scalar]
    static let delimiter: Unicode.Scalar = "/"

    init(_ pattern: String) {
        var text = pattern
        let head = text.prefix { $0 != "/" }
        if head.uppercased() == "INBOX" { text = "INBOX" + text.dropFirst(head.count) }
        scalars = Array(text.unicodeScalars)
    }

    /// Dynamic programming over (pattern, name) positions: linear in their product,
    /// so no pattern of many `*`s can make it backtrack exponentially.
    func matches(_ name: String) -> Bool {
        let subject = Array(name.unicodeScalars)
        // reachable[j]: the pattern prefix consumed so far can match subject[..<j].
        var reachable = [Bool](repeating: false, count: subject.count + 1)
        reachable[0] = true
        for token in scalars {
            var next = [Bool](repeating: false, count: subject.count + 1)
            switch token {
            case "*", "%":
                var running = false
                for j in 0...subject.count {
                    if reachable[j] { running = true }
                    next[j] = running
                    if j < subject.count, token == "%", subject[j] == Self.delimiter { running = false }
                }
            default:
                for j in 0..<subject.count where reachable[j] && subject[j] == token { next[j + 1] = true }
            }
            reachable = next
        }
        return reachable[subject.count]
    }
}
