/// One entry of an ENVELOPE address list (RFC 9051 §7.5.2): a mailbox, or a group
/// start (`host` nil, `mailbox` the group name) or group end (both nil) marker.
struct EnvelopeAddress: Equatable {
    var name: [UInt8]?
    var route: [UInt8]?
    var mailbox: [UInt8]?
    var host: [UInt8]?

    /// Stand-ins for a mailbox without local part or domain: a nil host would make
    /// the entry a group marker, so something non-NIL has to go there.
    static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    static let missingDomain = Array("MISSING_DOMAIN".utf8)
}

/// Parses an RFC 5322 §3.4 address-list (with the obsolete forms of §4.4: routes,
/// empty list elements, comments as names) into ENVELOPE address entries.
///
/// Display names keep their words as sent — encoded-words are not decoded, quoted
/// strings lose their quotes, words are joined by one space. A mailbox written as a
/// bare addr-spec takes its name from a comment, as in `user@host (Real Name)`.
enum AddressList {
    private static let maxTokens = 20_000

    static func parse(_ bytes: MessageBytes, value: ByteRange) -> [EnvelopeAddress] {
        var tokenizer = HeaderTokenizer(bytes, range: value, specials: .address)
        var tokens: [HeaderTokenizer.Token] = []
        while let token = tokenizer.next(), tokens.count < maxTokens { tokens.append(token) }
        var parser = Parser(bytes: bytes, tokens: tokens)
        return parser.addressList()
    }

    private struct Parser {
        let bytes: MessageBytes
        let tokens: [HeaderTokenizer.Token]
        var index = 0
        var result: [EnvelopeAddress] = []
        var inGroup = false

        init(bytes: MessageBytes, tokens: [HeaderTokenizer.Token]) {
            self.bytes = bytes
            self.tokens = tokens
        }

        private func word(_ token: HeaderTokenizer.Token) -> [UInt8]? {
            switch token {
            case .atom(let range), .domainLiteral(let range): return bytes.copy(range)
            case .quoted(let range): return bytes.unescaped(range)
            default: return nil
            }
        }

        mutating func addressList() -> [EnvelopeAddress] {
            while index < tokens.count { element() }
            if inGroup { result.append(EnvelopeAddress()) }
            return result
        }

        /// One list element: a mailbox, a group start, or nothing (obs "," runs).
        private mutating func element() {
            var phrase: [[UInt8]] = []
            var local: [UInt8] = []
            var domain: [UInt8] = []
            var comment: [UInt8]?
            var sawAt = false
            var sawWord = false
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token {
                case .comment(let range):
                    if comment == nil { comment = Array(bytes.unescaped(range)) }
                case .atom, .quoted, .domainLiteral:
                    let text = word(token) ?? []
                    sawWord = true
                    if sawAt {
                        domain += text
                    } else {
                        phrase.append(text)
                        local += text
                    }
                case .special(UInt8(ascii: "<")):
                    angleAddress(name: phrase.isEmpty ? nil : join(phrase))
                    skipToSeparator()
                    return
                case .special(UInt8(ascii: ":")) where !sawAt && !inGroup:
                    result.append(EnvelopeAddress(name: nil, route: nil, mailbox: join(phrase), host: nil))
                    inGroup = true
                    return
                case .special(UInt8(ascii: "@")):
                    if sawAt { domain.append(UInt8(ascii: "@")) } else { sawAt = true }
                case .special(UInt8(ascii: ",")):
                    finishAddrSpec(sawWord || sawAt, local, domain, comment)
                    return
                case .special(UInt8(ascii: ";")):
                    finishAddrSpec(sawWord || sawAt, local, domain, comment)
                    if inGroup {
                        result.append(EnvelopeAddress())
                        inGroup = false
                    }
                    return
                default:
                    break  // stray specials: ignored
                }
            }
            finishAddrSpec(sawWord || sawAt, local, domain, comment)
        }

        private mutating func finishAddrSpec(_ present: Bool, _ local: [UInt8], _ domain: [UInt8], _ comment: [UInt8]?) {
            guard present else { return }
            let name = comment.map { trimmedSpaces($0) }.flatMap { $0.isEmpty ? nil : $0 }
            result.append(EnvelopeAddress(
                name: name, route: nil,
                mailbox: local.isEmpty ? EnvelopeAddress.missingMailbox : local,
                host: domain.isEmpty ? EnvelopeAddress.missingDomain : domain))
        }

        /// `"<" [obs-route] addr-spec ">"`, after the "<".
        private mutating func angleAddress(name: [UInt8]?) {
            var route: [UInt8] = []
            var local: [UInt8] = []
            var domain: [UInt8] = []
            // obs-route = obs-domain-list ":" ; obs-domain-list = *(CFWS / ",") "@" domain ...
            if index < tokens.count, tokens[index] == .special(UInt8(ascii: "@")) {
                var scan = index
                var collected: [UInt8] = []
                while scan < tokens.count {
                    let token = tokens[scan]
                    // A route ends at ":"; "<" or ">" first means it was not one (stopping
                    // at "<" keeps a run of "<@,<@,…" linear).
                    if token == .special(UInt8(ascii: ":")) || token == .special(UInt8(ascii: ">"))
                        || token == .special(UInt8(ascii: "<")) { break }
                    switch token {
                    case .special(let c) where c == UInt8(ascii: "@") || c == UInt8(ascii: ","): collected.append(c)
                    default: collected += word(token) ?? []
                    }
                    scan += 1
                }
                if scan < tokens.count, tokens[scan] == .special(UInt8(ascii: ":")) {
                    route = collected
                    index = scan + 1
                }
            }
            var sawAt = false
            while index < tokens.count {
                let token = tokens[index]
                if token == .special(UInt8(ascii: ">")) {
                    index += 1
                    break
                }
                if token == .special(UInt8(ascii: ",")) || token == .special(UInt8(ascii: ";")) { break }
                index += 1
                if token == .special(UInt8(ascii: "@")) {
                    if sawAt { domain.append(UInt8(ascii: "@")) } else { sawAt = true }
                    continue
                }
                guard let text = word(token) else { continue }
                if sawAt { domain += text } else { local += text }
            }
            if local.isEmpty, domain.isEmpty, route.isEmpty {
                // "<>" (a null reverse-path): keep an entry, with empty parts.
                result.append(EnvelopeAddress(name: name, route: nil, mailbox: [], host: []))
                return
            }
            result.append(EnvelopeAddress(
                name: name, route: route.isEmpty ? nil : route,
                mailbox: local.isEmpty ? EnvelopeAddress.missingMailbox : local,
                host: domain.isEmpty ? EnvelopeAddress.missingDomain : domain))
        }

        /// After an angle address: ignore anything up to "," (consumed) or ";" (kept).
        private mutating func skipToSeparator() {
            while index < tokens.count {
                let token = tokens[index]
                if token == .special(UInt8(ascii: ";")) { return }
                index += 1
                if token == .special(UInt8(ascii: ",")) { return }
            }
        }

        private func join(_ words: [[UInt8]]) -> [UInt8] {
            Array(words.joined(separator: [UInt8(ascii: " ")]))
        }

        private func trimmedSpaces(_ text: [UInt8]) -> [UInt8] {
            var slice = text[...]
            while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
            while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
            return Array(slice)
        }
    }
}
