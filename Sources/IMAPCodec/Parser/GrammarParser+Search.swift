/// SEARCH: return options, CHARSET and the search keys.
extension GrammarParser {
    // search = "SEARCH" [search-return-opts] SP search-program
    // search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    mutating func parseSearchArguments(byUID: Bool) throws(ParseFailure) -> SearchCommand {
        try parseSpace()
        var returnOptions: [SearchReturnOption]?
        if skipKeyword("RETURN") {
            try parseSpace()
            returnOptions = try parseSearchReturnOptions()
            try parseSpace()
        }
        var charset: String?
        if skipKeyword("CHARSET") {
            try parseSpace()
            // charset = atom / quoted
            charset = peek() == UInt8(ascii: "\"") ? try utf8String(parseQuoted()) : try parseAtom()
            try parseSpace()
        }
        let first = try parseSearchKey(depth: 0)
        guard skipSpace() else { return SearchCommand(byUID: byUID, returnOptions: returnOptions, charset: charset, key: first) }
        var keys: [SearchKey] = []
        keys.reserveCapacity(4)
        keys.append(first)
        repeat { keys.append(try parseSearchKey(depth: 0)) } while skipSpace()
        return SearchCommand(
            byUID: byUID, returnOptions: returnOptions, charset: charset, key: keys.count == 1 ? keys[0] : .and(keys))
    }

    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    // search-return-opt  = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" / search-ret-opt-ext
    private mutating func parseSearchReturnOptions() throws(ParseFailure) -> [SearchReturnOption] {
        try expect(UInt8(ascii: "("), "expected '(' after RETURN")
        var options: [SearchReturnOption] = []
        if skip(UInt8(ascii: ")")) { return options }
        // RETURN (ALL), what clients send most, shares one array instead of allocating.
        let start = index
        if skipKeyword("ALL"), skip(UInt8(ascii: ")")) { return Self.returnAllOnly }
        rewind(to: start)
        options.reserveCapacity(4)
        repeat {
            if skipKeyword("MIN") {
                options.append(.min)
            } else if skipKeyword("MAX") {
                options.append(.max)
            } else if skipKeyword("ALL") {
                options.append(.all)
            } else if skipKeyword("COUNT") {
                options.append(.count)
            } else if skipKeyword("SAVE") {
                options.append(.save)
            } else {
                options.append(.other(try parseExtensionParameter()))
            }
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after return options")
        return options
    }

    private static let returnAllOnly: [SearchReturnOption] = [.all]

    /// A search string: astring bytes, kept raw for the CHARSET the client named.
    private mutating func parseSearchString() throws(ParseFailure) -> String {
        try parseSpace()
        // IMAP4rev2 requires only UTF-8 (and US-ASCII, its subset); other charsets'
        // 8-bit bytes are refused here rather than guessed at.
        return try parseAString()
    }

    private mutating func parseSearchDate() throws(ParseFailure) -> IMAPDate {
        try parseSpace()
        return try parseDate()
    }

    // search-key (see SearchKey)
    mutating func parseSearchKey(depth: Int) throws(ParseFailure) -> SearchKey {
        guard depth < 64 else { throw ParseFailure("search keys nested too deeply") }
        if skip(UInt8(ascii: "(")) {
            var keys: [SearchKey] = [try parseSearchKey(depth: depth + 1)]
            while skipSpace() { keys.append(try parseSearchKey(depth: depth + 1)) }
            try expect(UInt8(ascii: ")"), "expected ')' after search keys")
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if startsSequenceSet { return .sequenceNumbers(try parseSequenceSet()) }
        let name = try parseAtomRange()
        switch name.count {
        case 2 where equalsIgnoringCase(name, "ON"): return .on(try parseSearchDate())
        case 2 where equalsIgnoringCase(name, "CC"): return .cc(try parseSearchString())
        case 2 where equalsIgnoringCase(name, "TO"): return .to(try parseSearchString())
        case 2 where equalsIgnoringCase(name, "OR"):
            try parseSpace()
            let left = try parseSearchKey(depth: depth + 1)
            try parseSpace()
            return .or(left, try parseSearchKey(depth: depth + 1))
        case 3 where equalsIgnoringCase(name, "ALL"): return .all
        case 3 where equalsIgnoringCase(name, "BCC"): return .bcc(try parseSearchString())
        case 3 where equalsIgnoringCase(name, "NEW"): return .new
        case 3 where equalsIgnoringCase(name, "OLD"): return .old
        case 3 where equalsIgnoringCase(name, "NOT"):
            try parseSpace()
            return .not(try parseSearchKey(depth: depth + 1))
        case 3 where equalsIgnoringCase(name, "UID"):
            try parseSpace()
            return .uid(try parseSequenceSet())
        case 4 where equalsIgnoringCase(name, "BODY"): return .body(try parseSearchString())
        case 4 where equalsIgnoringCase(name, "FROM"): return .from(try parseSearchString())
        case 4 where equalsIgnoringCase(name, "SEEN"): return .seen
        case 4 where equalsIgnoringCase(name, "TEXT"): return .text(try parseSearchString())
        case 5 where equalsIgnoringCase(name, "DRAFT"): return .draft
        case 5 where equalsIgnoringCase(name, "SINCE"): return .since(try parseSearchDate())
        case 6 where equalsIgnoringCase(name, "BEFORE"): return .before(try parseSearchDate())
        case 6 where equalsIgnoringCase(name, "HEADER"):
            let field = try parseSearchString()
            return .header(field: field, value: try parseSearchString())
        case 6 where equalsIgnoringCase(name, "LARGER"):
            try parseSpace()
            return .larger(try parseNumber64())
        case 6 where equalsIgnoringCase(name, "RECENT"): return .recent
        case 6 where equalsIgnoringCase(name, "UNSEEN"): return .unseen
        case 6 where equalsIgnoringCase(name, "MODSEQ"): return try parseSearchModSequence()
        case 7 where equalsIgnoringCase(name, "DELETED"): return .deleted
        case 7 where equalsIgnoringCase(name, "FLAGGED"): return .flagged
        case 7 where equalsIgnoringCase(name, "KEYWORD"):
            try parseSpace()
            return .keyword(try parseFlagKeyword())
        case 6 where equalsIgnoringCase(name, "SENTON"): return .sentOn(try parseSearchDate())
        case 7 where equalsIgnoringCase(name, "SMALLER"):
            try parseSpace()
            return .smaller(try parseNumber64())
        case 7 where equalsIgnoringCase(name, "SUBJECT"): return .subject(try parseSearchString())
        case 7 where equalsIgnoringCase(name, "UNDRAFT"): return .undraft
        case 8 where equalsIgnoringCase(name, "ANSWERED"): return .answered
        case 9 where equalsIgnoringCase(name, "SENTSINCE"): return .sentSince(try parseSearchDate())
        case 9 where equalsIgnoringCase(name, "UNDELETED"): return .undeleted
        case 9 where equalsIgnoringCase(name, "UNFLAGGED"): return .unflagged
        case 9 where equalsIgnoringCase(name, "UNKEYWORD"):
            try parseSpace()
            return .unkeyword(try parseFlagKeyword())
        case 10 where equalsIgnoringCase(name, "SENTBEFORE"): return .sentBefore(try parseSearchDate())
        case 10 where equalsIgnoringCase(name, "UNANSWERED"): return .unanswered
        default:
            throw ParseFailure("unknown search key \(string(name).prefix(32))")
        }
    }

    // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
    // search-modseq-ext  = SP entry-name SP entry-type-req
    // entry-flag-name    = DQUOTE "/flags/" attr-flag DQUOTE
    private mutating func parseSearchModSequence() throws(ParseFailure) -> SearchKey {
        try parseSpace()
        var entry: ModSeqEntry?
        if peek() == UInt8(ascii: "\"") {
            let name = try utf8String(parseQuoted())
            guard name.utf8.count > 7, name.lowercased().hasPrefix("/flags/") else {
                throw ParseFailure("MODSEQ entry must name /flags/<flag>")
            }
            try parseSpace()
            let type: ModSeqEntry.EntryType
            if skipKeyword("PRIV") {
                type = .private
            } else if skipKeyword("SHARED") {
                type = .shared
            } else if skipKeyword("ALL") {
                type = .all
            } else {
                throw ParseFailure("MODSEQ entry type must be priv, shared or all")
            }
            entry = ModSeqEntry(flag: Flag(String(name.dropFirst(7))), type: type)
            try parseSpace()
        }
        return .modificationSequence(try parseNumber64(), entry: entry)
    }
}
