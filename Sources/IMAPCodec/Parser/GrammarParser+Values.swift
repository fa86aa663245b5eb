/// Mailboxes, flags, dates, sequence sets and extension values.
extension GrammarParser {
    // mailbox = "INBOX" / astring
    mutating func parseMailbox() throws(ParseFailure) -> MailboxName {
        let bytes = try parseAStringBytes()
        guard let name = String(validating: bytes, as: UTF8.self) else {
            throw ParseFailure("mailbox name is not valid UTF-8")
        }
        return MailboxName(name)
    }

    // list-mailbox = 1*list-char / string
    mutating func parseListMailbox() throws(ParseFailure) -> String {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"):
            return try parseString()
        default:
            let start = index
            while let byte = peek(), ByteClass.isListChar(byte) { advance() }
            guard index > start else { throw ParseFailure("expected a mailbox pattern") }
            return string(start..<index)
        }
    }

    // flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    // flag-extension = "\" atom
    mutating func parseFlag() throws(ParseFailure) -> Flag {
        let start = index
        _ = skip(UInt8(ascii: "\\"))
        while let byte = peek(), ByteClass.isAtomChar(byte) { advance() }
        guard index > start + (byte(at: start) == UInt8(ascii: "\\") ? 1 : 0) else { throw ParseFailure("expected a flag") }
        return Flag(string(start..<index))
    }

    // flag-keyword = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
    mutating func parseFlagKeyword() throws(ParseFailure) -> Flag {
        Flag(try parseAtom())
    }

    // flag-list = "(" [flag *(SP flag)] ")"
    // flag-perm = flag / "\*"      ; with `permanent`, for PERMANENTFLAGS
    mutating func parseFlagList(permanent: Bool = false) throws(ParseFailure) -> [Flag] {
        try expect(UInt8(ascii: "("), "expected a flag list")
        var flags: [Flag] = []
        if skip(UInt8(ascii: ")")) { return flags }
        repeat {
            if permanent, peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "*") {
                advance(2)
                flags.append(.wildcard)
            } else {
                flags.append(try parseFlag())
            }
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after flags")
        return flags
    }

    // date = date-text / DQUOTE date-text DQUOTE
    mutating func parseDate() throws(ParseFailure) -> IMAPDate {
        if skip(UInt8(ascii: "\"")) {
            let date = try parseDateText()
            try expect(UInt8(ascii: "\""), "expected '\"' after date")
            return date
        }
        return try parseDateText()
    }

    // date-text = date-day "-" date-month "-" date-year
    mutating func parseDateText() throws(ParseFailure) -> IMAPDate {
        let day = try parseDigits(min: 1, max: 2)
        try expect(UInt8(ascii: "-"), "malformed date")
        let month = try parseMonth()
        try expect(UInt8(ascii: "-"), "malformed date")
        let year = try parseDigits(min: 4, max: 4)
        return try validDate(year: year, month: month, day: day)
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    // date-day-fixed = (SP DIGIT) / 2DIGIT
    // time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
    // zone = ("+" / "-") 4DIGIT
    mutating func parseDateTime() throws(ParseFailure) -> IMAPDateTime {
        try expect(UInt8(ascii: "\""), "expected a date-time")
        _ = skipSpace()
        let day = try parseDigits(min: 1, max: 2)
        try expect(UInt8(ascii: "-"), "malformed date-time")
        let month = try parseMonth()
        try expect(UInt8(ascii: "-"), "malformed date-time")
        let year = try parseDigits(min: 4, max: 4)
        try parseSpace()
        let hour = try parseDigits(min: 2, max: 2)
        try expect(UInt8(ascii: ":"), "malformed time")
        let minute = try parseDigits(min: 2, max: 2)
        try expect(UInt8(ascii: ":"), "malformed time")
        let second = try parseDigits(min: 2, max: 2)
        try parseSpace()
        let sign: Int
        if skip(UInt8(ascii: "+")) { sign = 1 } else if skip(UInt8(ascii: "-")) { sign = -1 } else {
            throw ParseFailure("malformed time zone")
        }
        let zone = try parseDigits(min: 4, max: 4)
        try expect(UInt8(ascii: "\""), "malformed date-time")
        guard hour < 24, minute < 60, second < 61, zone % 100 < 60 else { throw ParseFailure("time out of range") }
        return IMAPDateTime(
            date: try validDate(year: year, month: month, day: day), hour: hour, minute: minute, second: second,
            zoneMinutes: sign * (zone / 100 * 60 + zone % 100))
    }

    private func validDate(year: Int, month: Int, day: Int) throws(ParseFailure) -> IMAPDate {
        guard day >= 1, day <= 31 else { throw ParseFailure("day out of range") }
        return IMAPDate(year: year, month: month, day: day)
    }

    // date-month = "Jan" / "Feb" / ... / "Dec"
    private mutating func parseMonth() throws(ParseFailure) -> Int {
        guard index + 3 <= count else { throw ParseFailure("malformed month") }
        for (offset, name) in IMAPDate.upperCaseMonthNames.enumerated() where equalsIgnoringCase(index..<(index + 3), name) {
            advance(3)
            return offset + 1
        }
        throw ParseFailure("unknown month")
    }

    private mutating func parseDigits(min: Int, max: Int) throws(ParseFailure) -> Int {
        var value = 0
        var digits = 0
        while digits < max, let byte = peek(), ByteClass.isDigit(byte) {
            value = value * 10 + Int(byte &- 0x30)
            digits += 1
            advance()
        }
        guard digits >= min else { throw ParseFailure("expected digits") }
        return value
    }

    // sequence-set = (seq-number / seq-range) ["," sequence-set]
    // sequence-set =/ seq-last-command
    // seq-range = seq-number ":" seq-number
    mutating func parseSequenceSet() throws(ParseFailure) -> SequenceSet {
        if skip(UInt8(ascii: "$")) { return .lastSearchResult }
        // 1:* (every message), the most common set, shares one array instead of allocating.
        if peek() == UInt8(ascii: "1"), peek(1) == UInt8(ascii: ":"), peek(2) == UInt8(ascii: "*"),
            peek(3).map({ !ByteClass.isDigit($0) && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: ",") }) ?? true
        {
            advance(3)
            return .all
        }
        var ranges: [SequenceRange] = []
        repeat {
            let first = try parseSequenceNumber()
            if skip(UInt8(ascii: ":")) {
                ranges.append(SequenceRange(first, try parseSequenceNumber()))
            } else {
                ranges.append(SequenceRange(first))
            }
        } while skip(UInt8(ascii: ","))
        return .ranges(ranges)
    }

    // seq-number = nz-number / "*"
    private mutating func parseSequenceNumber() throws(ParseFailure) -> SequenceNumber {
        if skip(UInt8(ascii: "*")) { return .last }
        guard let byte = peek(), ByteClass.isDigit(byte) else { throw ParseFailure("expected a sequence set") }
        return .number(try parseNonZeroNumber())
    }

    /// True if a sequence set starts here (for SEARCH, where it is a key).
    var startsSequenceSet: Bool {
        guard let byte = peek() else { return false }
        return ByteClass.isDigit(byte) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$")
    }

    // tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    mutating func parseExtensionValue(depth: Int = 0) throws(ParseFailure) -> ExtensionValue {
        guard depth < 16 else { throw ParseFailure("parameters nested too deeply") }
        if skip(UInt8(ascii: "(")) {
            var items: [ExtensionValue] = []
            if skip(UInt8(ascii: ")")) { return .list(items) }
            repeat {
                items.append(try parseExtensionComponent(depth: depth + 1))
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after parameter value")
            return .list(items)
        }
        return try parseExtensionComponent(depth: depth)
    }

    // tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
    private mutating func parseExtensionComponent(depth: Int) throws(ParseFailure) -> ExtensionValue {
        switch peek() {
        case UInt8(ascii: "("):
            return try parseExtensionValue(depth: depth)
        case UInt8(ascii: "\""), UInt8(ascii: "{"):
            return .string(try parseString())
        default:
            let start = index
            // Sequence sets use ':' ',' and '*' which atoms allow except '*'.
            while let byte = peek(), ByteClass.isAStringChar(byte) || byte == UInt8(ascii: "*") { advance() }
            guard index > start else { throw ParseFailure("expected a parameter value") }
            return .atom(string(start..<index))
        }
    }

    /// A generic `name [SP value]` parameter, the value present when the next byte starts one.
    mutating func parseExtensionParameter() throws(ParseFailure) -> ExtensionParameter {
        let name = try parseTaggedExtLabel()
        guard peek() == 0x20, let next = peek(1), next != UInt8(ascii: ")") else {
            return ExtensionParameter(name: name)
        }
        // A following label is the next parameter, not this one's value; values are
        // numbers, sets, strings or lists.
        guard next == UInt8(ascii: "(") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "{")
            || ByteClass.isDigit(next) || next == UInt8(ascii: "*") || next == UInt8(ascii: "$")
        else { return ExtensionParameter(name: name) }
        advance()
        return ExtensionParameter(name: name, value: try parseExtensionValue())
    }
}
