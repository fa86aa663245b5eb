/// FETCH response attributes, as a client reads them.
extension GrammarParser {
    // msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    mutating func parseMessageAttributes() throws(ParseFailure) -> [FetchResponseItem] {
        try expect(UInt8(ascii: "("), "expected '(' before message attributes")
        var items: [FetchResponseItem] = []
        if skip(UInt8(ascii: ")")) { return items }
        repeat { items.append(try parseMessageAttribute()) } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after message attributes")
        return items
    }

    private mutating func parseMessageAttribute() throws(ParseFailure) -> FetchResponseItem {
        let start = index
        while let byte = peek(), ByteClass.isAtomChar(byte), byte != UInt8(ascii: "[") { advance() }
        let name = start..<index
        if equalsIgnoringCase(name, "FLAGS") {
            try parseSpace()
            return .flags(try parseFlagList())
        }
        if equalsIgnoringCase(name, "UID") {
            try parseSpace()
            return .uid(try parseNonZeroNumber())
        }
        if equalsIgnoringCase(name, "INTERNALDATE") {
            try parseSpace()
            return .internalDate(try parseDateTime())
        }
        if equalsIgnoringCase(name, "RFC822.SIZE") {
            try parseSpace()
            return .rfc822Size(try parseNumber64())
        }
        if equalsIgnoringCase(name, "MODSEQ") {
            // fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"
            try parseSpace()
            try expect(UInt8(ascii: "("), "expected '(' after MODSEQ")
            let value = try parseNumber64()
            try expect(UInt8(ascii: ")"), "expected ')' after MODSEQ value")
            return .modificationSequence(value)
        }
        if equalsIgnoringCase(name, "ENVELOPE") { return .envelope(try parsePreEncodedValue()) }
        if equalsIgnoringCase(name, "BODYSTRUCTURE") { return .bodyStructure(try parsePreEncodedValue()) }
        if equalsIgnoringCase(name, "BODY") {
            guard peek() == UInt8(ascii: "[") else { return .body(try parsePreEncodedValue()) }
            let section = try parseSection()
            let origin = try parseOrigin()
            try parseSpace()
            return .bodySection(section, origin: origin, try parseBodyData())
        }
        if equalsIgnoringCase(name, "BINARY") {
            let part = try parseBinaryPart()
            let origin = try parseOrigin()
            try parseSpace()
            let literal8 = peek() == UInt8(ascii: "~")
            return .binary(part: part, origin: origin, try parseBodyData(), literal8: literal8)
        }
        if equalsIgnoringCase(name, "BINARY.SIZE") {
            let part = try parseBinaryPart()
            try parseSpace()
            return .binarySize(part: part, try parseNumber64())
        }
        if equalsIgnoringCase(name, "RFC822") {
            try parseSpace()
            return .rfc822(try parseBodyData())
        }
        if equalsIgnoringCase(name, "RFC822.HEADER") {
            try parseSpace()
            return .rfc822Header(try parseBodyData())
        }
        if equalsIgnoringCase(name, "RFC822.TEXT") {
            try parseSpace()
            return .rfc822Text(try parseBodyData())
        }
        throw ParseFailure("unknown message attribute \(string(name).prefix(32))")
    }

    private mutating func parseOrigin() throws(ParseFailure) -> UInt64? {
        guard skip(UInt8(ascii: "<")) else { return nil }
        let origin = try parseNumber64()
        try expect(UInt8(ascii: ">"), "expected '>' after origin")
        return origin
    }

    private mutating func parseBinaryPart() throws(ParseFailure) -> [UInt32] {
        try expect(UInt8(ascii: "["), "expected '['")
        var part: [UInt32] = []
        if !skip(UInt8(ascii: "]")) {
            repeat { part.append(try parseNonZeroNumber()) } while skip(UInt8(ascii: "."))
            try expect(UInt8(ascii: "]"), "expected ']'")
        }
        return part
    }

    // nstring / literal8
    private mutating func parseBodyData() throws(ParseFailure) -> BodyData {
        if skipKeyword("NIL") { return .none }
        if peek() == UInt8(ascii: "\"") { return .bytes(try parseQuoted()) }
        var binary = false
        var streamed: UInt64?
        return .bytes(bytes(try parseLiteral(allowBinary: true, isBinary: &binary, streamedCount: &streamed)))
    }

    /// One value (a parenthesised list, string, literal, NIL or number) kept as its text:
    /// ENVELOPE and BODYSTRUCTURE, which the load generator need not take apart.
    private mutating func parsePreEncodedValue() throws(ParseFailure) -> PreEncodedBytes {
        try parseSpace()
        let start = index
        try skipValue(depth: 0)
        return PreEncodedBytes(bytes(start..<index))
    }

    private mutating func skipValue(depth: Int) throws(ParseFailure) {
        guard depth < 64 else { throw ParseFailure("value nested too deeply") }
        switch peek() {
        case UInt8(ascii: "("):
            advance()
            if skip(UInt8(ascii: ")")) { return }
            repeat { try skipValue(depth: depth + 1) } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')'")
        case UInt8(ascii: "\""):
            _ = try parseQuoted()
        case UInt8(ascii: "{"), UInt8(ascii: "~"):
            var binary = false
            var streamed: UInt64?
            _ = try parseLiteral(allowBinary: true, isBinary: &binary, streamedCount: &streamed)
        default:
            _ = try parseAtomRange()
        }
    }
}
