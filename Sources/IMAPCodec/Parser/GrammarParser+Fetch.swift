/// FETCH and STORE.
extension GrammarParser {
    // fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
    //         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
    mutating func parseFetchArguments(byUID: Bool) throws(ParseFailure) -> FetchCommand {
        try parseSpace()
        let set = try parseSequenceSet()
        try parseSpace()
        var attributes: [FetchAttribute]
        if skip(UInt8(ascii: "(")) {
            attributes = []
            attributes.reserveCapacity(8)
            repeat { attributes.append(try parseFetchAttribute()) } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after fetch items")
        } else if skipKeyword("ALL") {
            attributes = FetchAttribute.all
        } else if skipKeyword("FAST") {
            attributes = FetchAttribute.fast
        } else if skipKeyword("FULL") {
            attributes = FetchAttribute.full
        } else {
            attributes = [try parseFetchAttribute()]
        }
        var modifiers: [FetchModifier] = []
        if skipSpace() {
            // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
            try expect(UInt8(ascii: "("), "expected '(' before fetch modifiers")
            repeat {
                if skipKeyword("CHANGEDSINCE") {
                    try parseSpace()
                    modifiers.append(.changedSince(try parseNonZeroNumber64()))
                } else if skipKeyword("VANISHED") {
                    modifiers.append(.vanished)
                } else {
                    modifiers.append(.other(try parseExtensionParameter()))
                }
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after fetch modifiers")
        }
        return FetchCommand(byUID: byUID, set: set, attributes: attributes, modifiers: modifiers)
    }

    // fetch-att (see FetchAttribute)
    mutating func parseFetchAttribute() throws(ParseFailure) -> FetchAttribute {
        // Fetch item names are atoms up to '[' or a separator; '.' belongs to the name.
        let name = skipRun { ByteClass.isAtomChar($0) && $0 != UInt8(ascii: "[") }
        switch name.count {
        case 3 where equalsIgnoringCase(name, "UID"): return .uid
        case 4 where equalsIgnoringCase(name, "BODY"):
            if peek() == UInt8(ascii: "[") { return try parseBodySection(peek: false) }
            return .body
        case 5 where equalsIgnoringCase(name, "FLAGS"): return .flags
        case 6 where equalsIgnoringCase(name, "MODSEQ"): return .modificationSequence
        case 6 where equalsIgnoringCase(name, "RFC822"): return .rfc822
        case 6 where equalsIgnoringCase(name, "BINARY"): return try parseBinarySection(peek: false)
        case 8 where equalsIgnoringCase(name, "ENVELOPE"): return .envelope
        case 9 where equalsIgnoringCase(name, "BODY.PEEK"): return try parseBodySection(peek: true)
        case 11 where equalsIgnoringCase(name, "RFC822.SIZE"): return .rfc822Size
        case 11 where equalsIgnoringCase(name, "RFC822.TEXT"): return .rfc822Text
        case 11 where equalsIgnoringCase(name, "BINARY.PEEK"): return try parseBinarySection(peek: true)
        case 11 where equalsIgnoringCase(name, "BINARY.SIZE"): return .binarySize(part: try parseSectionBinary())
        case 12 where equalsIgnoringCase(name, "INTERNALDATE"): return .internalDate
        case 13 where equalsIgnoringCase(name, "BODYSTRUCTURE"): return .bodyStructure
        case 13 where equalsIgnoringCase(name, "RFC822.HEADER"): return .rfc822Header
        default:
            if name.isEmpty { throw ParseFailure("expected a fetch item") }
            throw ParseFailure("unknown fetch item \(string(name).prefix(32))")
        }
    }

    private mutating func parseBodySection(peek: Bool) throws(ParseFailure) -> FetchAttribute {
        let section = try parseSection()
        return .bodySection(section, partial: try parsePartial(), peek: peek)
    }

    private mutating func parseBinarySection(peek: Bool) throws(ParseFailure) -> FetchAttribute {
        let part = try parseSectionBinary()
        return .binary(part: part, partial: try parsePartial(), peek: peek)
    }

    // partial = "<" number64 "." nz-number64 ">"
    private mutating func parsePartial() throws(ParseFailure) -> PartialRange? {
        guard skip(UInt8(ascii: "<")) else { return nil }
        let offset = try parseNumber64()
        try expect(UInt8(ascii: "."), "expected '.' in partial range")
        let length = try parseNonZeroNumber64()
        try expect(UInt8(ascii: ">"), "expected '>' after partial range")
        return PartialRange(offset: offset, count: length)
    }

    // section-binary = "[" [section-part] "]"
    private mutating func parseSectionBinary() throws(ParseFailure) -> [UInt32] {
        try expect(UInt8(ascii: "["), "expected '['")
        var part: [UInt32] = []
        if !skip(UInt8(ascii: "]")) {
            repeat { part.append(try parseNonZeroNumber()) } while skip(UInt8(ascii: "."))
            try expect(UInt8(ascii: "]"), "expected ']' after section")
        }
        return part
    }

    // section = "[" [section-spec] "]"
    // section-spec = section-msgtext / (section-part ["." section-text])
    // section-text = section-msgtext / "MIME"
    mutating func parseSection() throws(ParseFailure) -> SectionSpecifier {
        try expect(UInt8(ascii: "["), "expected '['")
        var section = SectionSpecifier()
        if skip(UInt8(ascii: "]")) { return section }
        while let byte = peek(), ByteClass.isDigit(byte) {
            section.part.append(try parseNonZeroNumber())
            guard skip(UInt8(ascii: ".")) else { break }
        }
        if section.part.isEmpty || byte(at: index - 1) == UInt8(ascii: ".") {
            if !section.part.isEmpty && skipKeyword("MIME") {
                section.text = .mime
            } else {
                section.text = try parseSectionMessageText()
            }
        }
        try expect(UInt8(ascii: "]"), "expected ']' after section")
        return section
    }

    // section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    private mutating func parseSectionMessageText() throws(ParseFailure) -> SectionText {
        // One scan of the name, then a length dispatch (atom chars exclude ']', so the
        // scan stops at the section's end).
        let start = index
        let name = skipRun(ByteClass.isAtomChar)
        switch name.count {
        case 13 where equalsIgnoringCase(name, "HEADER.FIELDS"): return .headerFields(try parseHeaderList())
        case 17 where equalsIgnoringCase(name, "HEADER.FIELDS.NOT"): return .headerFieldsNot(try parseHeaderList())
        case 6 where equalsIgnoringCase(name, "HEADER"): return .header
        case 4 where equalsIgnoringCase(name, "TEXT"): return .text
        default:
            rewind(to: start)
            throw ParseFailure("unknown section text")
        }
    }

    // header-list = "(" header-fld-name *(SP header-fld-name) ")"
    private mutating func parseHeaderList() throws(ParseFailure) -> [String] {
        try parseSpace()
        try expect(UInt8(ascii: "("), "expected '(' before header names")
        var names: [String] = []
        names.reserveCapacity(8)
        repeat {
            // header-fld-name = astring, but ']' ends the section: stop before it.
            if peek() == UInt8(ascii: "\"") || peek() == UInt8(ascii: "{") {
                names.append(try parseString())
            } else {
                names.append(try parseAtom())
            }
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after header names")
        return names
    }

    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    // store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    mutating func parseStoreArguments(byUID: Bool) throws(ParseFailure) -> StoreCommand {
        try parseSpace()
        let set = try parseSequenceSet()
        try parseSpace()
        var modifiers: [StoreModifier] = []
        if skip(UInt8(ascii: "(")) {
            repeat {
                if skipKeyword("UNCHANGEDSINCE") {
                    try parseSpace()
                    modifiers.append(.unchangedSince(try parseNumber64()))
                } else {
                    modifiers.append(.other(try parseExtensionParameter()))
                }
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after store modifiers")
            try parseSpace()
        }
        let operation: StoreFlags.Operation
        if skip(UInt8(ascii: "+")) {
            operation = .add
        } else if skip(UInt8(ascii: "-")) {
            operation = .remove
        } else {
            operation = .replace
        }
        let silent: Bool
        if skipKeyword("FLAGS.SILENT") {
            silent = true
        } else if skipKeyword("FLAGS") {
            silent = false
        } else {
            throw ParseFailure("expected FLAGS, +FLAGS or -FLAGS")
        }
        try parseSpace()
        var flags: [Flag]
        if peek() == UInt8(ascii: "(") {
            flags = try parseFlagList()
        } else {
            flags = [try parseFlag()]
            while skipSpace() { flags.append(try parseFlag()) }
        }
        return StoreCommand(byUID: byUID, set: set, modifiers: modifiers, flags: StoreFlags(operation: operation, silent: silent, flags: flags))
    }
}
