import MIME

/// Parses the section text of a FETCH item the way the scripts write it
/// (`1.2.header.fields (from subject)`), into the module's `SectionSpec`.
enum SectionText {
    static func parse(_ text: String) -> SectionSpec? {
        var numbers: [Int] = []
        var rest = Substring(text.lowercased())
        while let dot = rest.firstIndex(of: "."), let number = Int(rest[..<dot]) {
            numbers.append(number)
            rest = rest[rest.index(after: dot)...]
        }
        if let number = Int(rest) {
            numbers.append(number)
            rest = ""
        }
        func names(_ list: Substring) -> [String] {
            list.drop { $0 == " " || $0 == "(" }.prefix { $0 != ")" }.split(separator: " ").map(String.init)
        }
        switch true {
        case rest.isEmpty: return SectionSpec(part: numbers)
        case rest == "header": return SectionSpec(part: numbers, text: .header)
        case rest == "text": return SectionSpec(part: numbers, text: .text)
        case rest == "mime": return SectionSpec(part: numbers, text: .mime)
        case rest.hasPrefix("header.fields.not"):
            return SectionSpec(part: numbers, text: .headerFieldsNot(names(rest.dropFirst("header.fields.not".count))))
        case rest.hasPrefix("header.fields"):
            return SectionSpec(part: numbers, text: .headerFields(names(rest.dropFirst("header.fields".count))))
        default: return nil
        }
    }

    /// Part numbers of a BINARY section (`1.2`), or nil when not numeric.
    static func partNumbers(_ text: String) -> [Int]? {
        if text.isEmpty { return [] }
        let numbers = text.split(separator: ".").map { Int($0) }
        guard numbers.allSatisfy({ $0 != nil }) else { return nil }
        return numbers.map { $0! }
    }

    /// The text between the first "[" and the last "]" of `item`.
    static func bracketed(_ item: String) -> String? {
        guard let open = item.firstIndex(of: "["), let close = item.lastIndex(of: "]"), open < close else { return nil }
        return String(item[item.index(after: open)..<close])
    }
}
