import MIME
import Testing

/// The SEARCH expectations of imaptest's search-body, search-header,
/// search-addresses and nil scripts that are about message text, evaluated
/// message by message with `MessageStructure.contains`.
@Suite(.enabled(if: Imaptest.isAvailable, "needs ../shared/imaptest"))
struct ImaptestSearchTests {
    struct Criterion: CustomStringConvertible {
        var negated: Bool
        var scope: SearchScope
        var key: String
        var expected: Set<Int>
        var line: Int
        var description: String { "line \(line): \(negated ? "NOT " : "")\(scope) \(key.debugDescription)" }
    }

    /// `[NOT] TEXT|BODY|SUBJECT|FROM|TO|CC|BCC string` and `[NOT] HEADER name string`
    /// commands, each with the `* SEARCH` line right after it.
    static func criteria(_ script: String) -> [Criterion] {
        guard let file = FileBytes.read(Imaptest.directory + "/" + script) else { return [] }
        let lines = String(decoding: file, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var result: [Criterion] = []
        for (index, line) in lines.enumerated() where line.lowercased().hasPrefix("ok search ") {
            guard index + 1 < lines.count, lines[index + 1].lowercased().hasPrefix("* search") else { continue }
            var words = arguments(String(line.dropFirst("ok search ".count)))
            let expected = Set(lines[index + 1].split(separator: " ").dropFirst(2).compactMap { Int($0) })
            var negated = false
            if words.first?.lowercased() == "not" {
                negated = true
                words.removeFirst()
            }
            guard let keyword = words.first?.lowercased() else { continue }
            let scope: SearchScope
            switch (keyword, words.count) {
            case ("text", 2): scope = .text
            case ("body", 2): scope = .body
            case ("subject", 2), ("from", 2), ("to", 2), ("cc", 2), ("bcc", 2): scope = .header(keyword)
            case ("header", 3): scope = .header(words[1])
            default: continue
            }
            result.append(Criterion(negated: negated, scope: scope, key: words.last!, expected: expected, line: index + 1))
        }
        return result
    }

    /// Space-separated arguments; "quoted strings" unquoted.
    static func arguments(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for c in text {
            if c == "\"" {
                quoted.toggle()
                inWord = true
            } else if c == " ", !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    static let scripts: [(String, Int)] = [("search-body", 12), ("search-header", 14), ("search-addresses", 28), ("nil", 2)]

    @Test(arguments: scripts)
    func searchExpectationsHold(_ script: String, _ minimum: Int) {
        let messages = Imaptest.messages(script)
        let structures = messages.map { MessageStructure(parsing: $0) }
        let criteria = Self.criteria(script)
        #expect(criteria.count >= minimum)
        for criterion in criteria {
            var matched: Set<Int> = []
            for (index, message) in messages.enumerated() {
                let found = message.withUnsafeBytes {
                    structures[index].contains(SearchKey(criterion.key), in: criterion.scope, message: $0)
                }
                if found != criterion.negated { matched.insert(index + 1) }
            }
            #expect(matched == criterion.expected, "\(script) \(criterion)")
        }
    }
}
