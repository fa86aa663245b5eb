/// A parameter of a Content-Type or Content-Disposition field (`name=value`), after
/// quoted strings are unquoted and RFC 2231 continuations and charsets are decoded.
struct MIMEParameter: Hashable, Sendable {
    /// The attribute name as sent (with a trailing `*` when the value is RFC 2231
    /// extended, as RFC 9051 §7.5.2 asks).
    var name: [UInt8]
    /// The value bytes. For an extended (`name*`) parameter: `utf-8'lang'%XX…`.
    var value: [UInt8]

    init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// Parameter-list parsing shared by Content-Type and Content-Disposition
/// (RFC 2045 §5.1 `*(";" parameter)`, RFC 2183, RFC 2231).
enum MIMEParameterList {
    /// Parses `*(";" attribute "=" value)` from the tokenizer's position to the end.
    static func parse(_ tokenizer: inout HeaderTokenizer) -> [MIMEParameter] {
        var raw: [MIMEParameter] = []
        let bytes = tokenizer.bytes
        while true {
            tokenizer.skip(past: UInt8(ascii: ";"))
            guard let token = tokenizer.next() else { break }
            guard case .atom(let nameRange) = token else { continue }
            guard tokenizer.next() == .special(UInt8(ascii: "=")) else { continue }
            let value = tokenizer.parameterValue()
            raw.append(MIMEParameter(name: bytes.copy(nameRange), value: value))
            if raw.count >= 256 { break }  // bounded work on hostile headers
        }
        return RFC2231.combine(raw)
    }
}

extension HeaderTokenizer {
    /// A parameter value: a quoted string (unescaped), or the bytes up to white
    /// space, ";" or "(" — more lenient than `token`, because unquoted boundaries
    /// such as `----=_Part_1` are common.
    mutating func parameterValue() -> [UInt8] {
        while position < end, Self.isSpace(bytes[position]) { position += 1 }
        guard position < end else { return [] }
        if bytes[position] == UInt8(ascii: "\""), case .quoted(let range)? = next() {
            return bytes.unescaped(range)
        }
        let start = position
        while position < end {
            let c = bytes[position]
            if Self.isSpace(c) || c == UInt8(ascii: ";") || c == UInt8(ascii: "(") { break }
            position += 1
        }
        return bytes.copy(ByteRange(start: start, end: position))
    }
}

/// RFC 2231: parameter value continuations (`name*0`, `name*1`) and character set
/// and language information (`name*=charset'lang'%XX`).
enum RFC2231 {
    private struct Segment {
        var index: Int
        var extended: Bool
        var value: [UInt8]
    }

    private struct Group {
        var base: [UInt8]
        var segments: [Segment]
    }

    static func combine(_ raw: [MIMEParameter]) -> [MIMEParameter] {
        guard raw.contains(where: { $0.name.contains(UInt8(ascii: "*")) }) else { return raw }
        // Output slots in first-appearance order; a slot is a plain parameter or a group.
        var slots: [Either] = []
        var groupSlot: [[UInt8]: Int] = [:]
        for parameter in raw {
            guard let split = splitName(parameter.name) else {
                slots.append(.plain(parameter))
                continue
            }
            let key = FieldName.lowercased(split.base)
            let segment = Segment(index: split.index, extended: split.extended, value: parameter.value)
            if let slot = groupSlot[key], case .group(var group) = slots[slot] {
                if group.segments.count < 1000 { group.segments.append(segment) }
                slots[slot] = .group(group)
            } else {
                groupSlot[key] = slots.count
                slots.append(.group(Group(base: split.base, segments: [segment])))
            }
        }
        return slots.map { slot in
            switch slot {
            case .plain(let parameter): return parameter
            case .group(let group): return assemble(group)
            }
        }
    }

    private enum Either {
        case plain(MIMEParameter)
        case group(Group)
    }

    /// Splits `base*`, `base*N` and `base*N*` names; nil for a plain name.
    private static func splitName(_ name: [UInt8]) -> (base: [UInt8], index: Int, extended: Bool)? {
        guard let star = name.firstIndex(of: UInt8(ascii: "*")), star > 0 else { return nil }
        let base = Array(name[..<star])
        var rest = name[(star + 1)...]
        if rest.isEmpty { return (base, 0, true) }
        var extended = false
        if rest.last == UInt8(ascii: "*") {
            extended = true
            rest = rest.dropLast()
        }
        guard !rest.isEmpty, rest.count <= 4, rest.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let index = rest.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return (base, index, extended)
    }

    private static func assemble(_ group: Group) -> MIMEParameter {
        let segments = group.segments.sorted { $0.index < $1.index }
        guard segments.contains(where: \.extended) else {
            return MIMEParameter(name: group.base, value: Array(segments.map(\.value).joined()))
        }
        var charset: [UInt8] = []
        var language: [UInt8] = []
        var decoded: [UInt8] = []
        for (position, segment) in segments.enumerated() {
            var value = segment.value[...]
            if position == 0, segment.extended {
                // charset'language'text; either part may be empty.
                let parts = value.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    charset = Array(parts[0])
                    language = Array(parts[1])
                    value = parts[2]
                }
            }
            if segment.extended {
                decoded += PercentEncoding.decode(value)
            } else {
                decoded += value
            }
        }
        var outCharset: [UInt8] = Array("utf-8".utf8)
        var text = decoded
        if !charset.isEmpty {
            if let utf8 = CharsetConverter.utf8(from: decoded, charset: charset) {
                text = utf8
            } else {
                outCharset = charset
            }
        }
        let value = outCharset + [UInt8(ascii: "'")] + language + [UInt8(ascii: "'")] + PercentEncoding.encode(text)
        return MIMEParameter(name: group.base + [UInt8(ascii: "*")], value: value)
    }
}
