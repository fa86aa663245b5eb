/// A `MessageAnalyzer` that needs no MIME module: it finds the header fields and
/// the body of an RFC 5322 message and matches text keys as ASCII-case-insensitive
/// substrings of the raw (unfolded) header values and raw body. It does not decode
/// RFC 2047 words, transfer encodings or charsets; the MIME module's analyzer does.
/// Its structure bytes hold only the header length (u32, little-endian).
public struct PlainMessageAnalyzer: MessageAnalyzer {
    public init() {}

    public func analyze(_ message: UnsafeRawBufferPointer) -> MessageAnalysis {
        let headerLength = Self.headerLength(message)
        var writer = ByteWriter(capacity: 4)
        writer.put(UInt32(headerLength))
        let date = Self.fields(UnsafeRawBufferPointer(rebasing: message[0..<headerLength]))
            .first { $0.name.lowercased() == "date" }
        return MessageAnalysis(structure: writer.bytes, sentDay: date.flatMap { CivilDate.sentDay(fromDateHeader: $0.value) })
    }

    public func matches(_ key: TextSearchKey, message: UnsafeRawBufferPointer, structure: UnsafeRawBufferPointer) -> Bool {
        let headerLength = structure.count >= 4
            ? min(Int(structure.loadUnaligned(as: UInt32.self).littleEndian), message.count)
            : Self.headerLength(message)
        let header = UnsafeRawBufferPointer(rebasing: message[0..<headerLength])
        let body = UnsafeRawBufferPointer(rebasing: message[headerLength...])
        switch key {
        case let .from(text): return headerMatches("from", text, header)
        case let .to(text): return headerMatches("to", text, header)
        case let .cc(text): return headerMatches("cc", text, header)
        case let .bcc(text): return headerMatches("bcc", text, header)
        case let .subject(text): return headerMatches("subject", text, header)
        case let .header(field, text): return headerMatches(field.lowercased(), text, header)
        case let .body(text): return Self.contains(body, Array(text.utf8))
        case let .text(text): return Self.contains(message, Array(text.utf8))
        }
    }

    private func headerMatches(_ name: String, _ text: String, _ header: UnsafeRawBufferPointer) -> Bool {
        let needle = Array(text.utf8)
        return Self.fields(header).contains { field in
            field.name.lowercased() == name && (needle.isEmpty || Self.contains(Array(field.value.utf8), needle))
        }
    }

    /// Length of the header section including the blank line that ends it.
    static func headerLength(_ message: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < message.count {
            if message[i] == 0x0A {
                if i + 1 < message.count, message[i + 1] == 0x0A { return i + 2 }
                if i + 2 < message.count, message[i + 1] == 0x0D, message[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return message.count
    }

    /// Header fields with continuation lines unfolded.
    static func fields(_ header: UnsafeRawBufferPointer) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        let text = String(decoding: header, as: UTF8.self)
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if let first = line.first, first == " " || first == "\t" {
                if !fields.isEmpty { fields[fields.count - 1].value += " " + line.drop { $0 == " " || $0 == "\t" } }
            } else if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                fields.append((String(line[..<colon]).trimmingSpaces, String(value)))
            }
        }
        return fields
    }

    /// ASCII-case-insensitive substring search.
    static func contains(_ haystack: some RandomAccessCollection<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        let hay = Array(haystack)
        guard hay.count >= needle.count else { return false }
        let lowered = needle.map(lower)
        outer: for start in 0...(hay.count - needle.count) {
            for j in 0..<lowered.count where lower(hay[start + j]) != lowered[j] { continue outer }
            return true
        }
        return false
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
