import MIME

/// Reads the imaptest compliance scripts under ../shared/imaptest (FORMAT.md there
/// describes them) and their mbox files, for turning FETCH expectations into tests.
enum Imaptest {
    /// ../shared/imaptest relative to the package root.
    static let directory: String = {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        components.removeLast(4)  // Support/Imaptest.swift, MIMETests, Tests
        return components.joined(separator: "/") + "/../shared/imaptest"
    }()

    static var isAvailable: Bool { FileBytes.read(directory + "/fetch-body") != nil }

    /// The messages of `<name>.mbox`, split at "From " lines, with LF turned into
    /// CRLF as imaptest does when it appends them.
    static func messages(_ name: String) -> [[UInt8]] {
        guard let file = FileBytes.read(directory + "/" + name + ".mbox") else { return [] }
        var messages: [[UInt8]] = []
        var current: [UInt8]?
        for line in file.split(separator: 0x0A, omittingEmptySubsequences: false).dropLastIfEmpty() {
            if line.starts(with: Array("From ".utf8)) {
                if let current { messages.append(current) }
                current = []
                continue
            }
            current? += line
            current? += [0x0D, 0x0A]
        }
        if let current { messages.append(current) }
        return messages
    }

    /// One expected FETCH data item of a script.
    struct Expectation: CustomStringConvertible, Sendable {
        enum Value: Sendable {
            case bytes([UInt8])
            case number(Int)
            case list(String)
            case variable(String)
        }

        var script: String
        var line: Int
        var message: Int
        /// Lowercased item name without ".peek" and without the partial, e.g.
        /// `body[1.header.fields (from subject x-foo)]`.
        var item: String
        var partial: Partial?
        var value: Value
        /// A `!` line: the server must not answer this.
        var negated: Bool

        var description: String { "\(script):\(line) \(message) \(item)" }
    }

    /// Every FETCH expectation in the script `name`.
    static func expectations(_ name: String) -> [Expectation] {
        guard let file = FileBytes.read(directory + "/" + name) else { return [] }
        // A literal CR in a ~{{{ block would merge with its LF into one Character;
        // spell it "^M", as the block syntax does, and turn it back later.
        let text = file.flatMap { $0 == 0x0D ? Array("^M".utf8) : [$0] }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [Expectation] = []
        var partials: [String: Partial] = [:]
        var index = lines.firstIndex(of: "") ?? 0
        while index < lines.count {
            let line = lines[index]
            let lineNumber = index + 1
            index += 1
            let lower = line.lowercased()
            if lower.hasPrefix("ok fetch ") {
                partials = commandPartials(String(line.dropFirst("ok fetch ".count)))
                continue
            }
            guard line.hasPrefix("* ") || line.hasPrefix("! ") else { continue }
            var response = line
            while response.occurrences(of: "{{{") > response.occurrences(of: "}}}"),
                  index < lines.count {
                response += "\n" + lines[index]
                index += 1
            }
            let words = response.split(separator: " ", maxSplits: 3)
            guard words.count == 4, words[2].lowercased() == "fetch", let message = Int(words[1]) else { continue }
            var body = Substring(words[3])
            guard body.first == "(", body.last == ")" else { continue }
            body = body.dropFirst().dropLast()
            for (itemName, value) in responseItems(body) {
                var item = itemName.lowercased()
                if let open = item.lastIndex(of: "<"), item.hasSuffix(">") { item = String(item[..<open]) }
                guard isStructureItem(item) else { continue }
                result.append(Expectation(
                    script: name, line: lineNumber, message: message, item: item,
                    partial: partials[item], value: value, negated: line.hasPrefix("!")))
            }
        }
        return result
    }

    /// FETCH items this module answers (FLAGS, UID and the like are not its job).
    private static func isStructureItem(_ item: String) -> Bool {
        ["envelope", "body", "bodystructure", "rfc822", "rfc822.header", "rfc822.text"].contains(item)
            || item.hasPrefix("body[") || item.hasPrefix("binary[") || item.hasPrefix("binary.size[")
    }

    /// Item name → partial, from the items of a FETCH command.
    private static func commandPartials(_ arguments: String) -> [String: Partial] {
        var rest = Substring(arguments)
        rest = rest.drop { $0 != " " }.dropFirst()  // the sequence set
        if rest.first == "(" { rest = rest.dropFirst().dropLast() }
        var result: [String: Partial] = [:]
        for item in splitItems(rest) {
            var name = item.lowercased().replacingOccurrences(".peek", with: "")
            guard let open = name.lastIndex(of: "<"), name.hasSuffix(">") else { continue }
            let numbers = name[name.index(after: open)..<name.index(before: name.endIndex)].split(separator: ".")
            name = String(name[..<open])
            if numbers.count == 2, let offset = Int(numbers[0]), let count = Int(numbers[1]) {
                result[name] = Partial(offset: offset, count: count)
            }
        }
        return result
    }

    /// Items separated by spaces outside brackets.
    private static func splitItems(_ text: Substring) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1 }
            if c == " ", depth == 0 {
                if !current.isEmpty { items.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { items.append(current) }
        return items
    }

    /// (name, value) pairs of a FETCH response's list.
    private static func responseItems(_ text: Substring) -> [(String, Expectation.Value)] {
        var result: [(String, Expectation.Value)] = []
        var rest = text
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { break }
            // The item name, brackets kept whole.
            var depth = 0
            var end = rest.startIndex
            while end < rest.endIndex {
                let c = rest[end]
                if c == "[" { depth += 1 }
                if c == "]" { depth -= 1 }
                if c == " ", depth == 0 { break }
                end = rest.index(after: end)
            }
            let name = String(rest[..<end])
            rest = rest[end...].drop { $0 == " " }
            // The value.
            if rest.hasPrefix("{{{") || rest.hasPrefix("~{{{") {
                let binary = rest.hasPrefix("~")
                guard let open = rest.range(of: "{{{\n"),
                      let close = rest.range(of: "\n}}}", range: open.upperBound..<rest.endIndex)
                else {
                    print("unparsed block: \(rest.debugDescription)")
                    break
                }
                var content = String(rest[open.upperBound..<close.lowerBound])
                content = content.replacingOccurrences("^I", with: "\t").replacingOccurrences("^M", with: "\r")
                if !binary { content = content.replacingOccurrences("\n", with: "\r\n") }
                result.append((name, .bytes(Array(content.utf8))))
                rest = rest[close.upperBound...]
            } else if rest.first == "\"" {
                var value: [UInt8] = []
                var scan = rest.index(after: rest.startIndex)
                while scan < rest.endIndex, rest[scan] != "\"" {
                    if rest[scan] == "\\" { scan = rest.index(after: scan) }
                    value += Array(String(rest[scan]).utf8)
                    scan = rest.index(after: scan)
                }
                result.append((name, .bytes(value)))
                rest = rest[rest.index(after: scan)...]
            } else if rest.first == "(" {
                var depth = 0
                var scan = rest.startIndex
                repeat {
                    if rest[scan] == "(" { depth += 1 }
                    if rest[scan] == ")" { depth -= 1 }
                    scan = rest.index(after: scan)
                } while depth > 0 && scan < rest.endIndex
                result.append((name, .list(String(rest[..<scan]))))
                rest = rest[scan...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                let word = String(rest[..<end])
                if let number = Int(word) {
                    result.append((name, .number(number)))
                } else if word.hasPrefix("$") {
                    result.append((name, .variable(word)))
                }
                rest = rest[end...]
            }
        }
        return result
    }
}

extension Array where Element == ArraySlice<UInt8> {
    fileprivate func dropLastIfEmpty() -> ArraySlice<ArraySlice<UInt8>> {
        last?.isEmpty == true ? dropLast() : self[...]
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let found = rest.range(of: target) {
            result += rest[..<found.lowerBound]
            result += replacement
            rest = rest[found.upperBound...]
        }
        return result + rest
    }
}

extension String {
    func occurrences(of target: String) -> Int {
        var count = 0
        var rest = self[...]
        while let found = rest.range(of: target) {
            count += 1
            rest = rest[found.upperBound...]
        }
        return count
    }
}

extension StringProtocol {
    /// The first occurrence of `target` at or after the start (no Foundation).
    func range(of target: String, range: Range<Index>? = nil) -> Range<Index>? {
        let searched = range ?? startIndex..<endIndex
        let needle = Array(target)
        guard !needle.isEmpty else { return nil }
        var start = searched.lowerBound
        while start < searched.upperBound {
            var scan = start
            var matched = 0
            while matched < needle.count, scan < searched.upperBound, self[scan] == needle[matched] {
                matched += 1
                scan = index(after: scan)
            }
            if matched == needle.count { return start..<scan }
            start = index(after: start)
        }
        return nil
    }
}
