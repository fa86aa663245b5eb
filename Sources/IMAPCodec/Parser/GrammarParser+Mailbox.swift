/// Mailbox commands: SELECT, EXAMINE, CREATE, RENAME, STATUS, LIST, LSUB.
extension GrammarParser {
    // select  = "SELECT" SP mailbox [select-params]
    // examine = "EXAMINE" SP mailbox [select-params]
    // select-params = SP "(" select-param *(SP select-param) ")"
    mutating func parseSelectArguments(examine: Bool) throws(ParseFailure) -> Command {
        try parseSpace()
        let mailbox = try parseMailbox()
        var parameters: [SelectParameter] = []
        if skipSpace() {
            try expect(UInt8(ascii: "("), "expected '(' before SELECT parameters")
            repeat {
                parameters.append(try parseSelectParameter())
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after SELECT parameters")
        }
        return examine ? .examine(mailbox, parameters) : .select(mailbox, parameters)
    }

    // select-param = condstore-param / "QRESYNC" SP "(" ... ")" / select-param-name [SP select-param-value]
    private mutating func parseSelectParameter() throws(ParseFailure) -> SelectParameter {
        if skipKeyword("CONDSTORE") { return .condStore }
        if skipKeyword("QRESYNC") {
            try parseSpace()
            return .qresync(try parseQResyncParameter())
        }
        return .other(try parseExtensionParameter())
    }

    // "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    // seq-match-data = "(" known-sequence-set SP known-uid-set ")"
    private mutating func parseQResyncParameter() throws(ParseFailure) -> QResyncParameter {
        try expect(UInt8(ascii: "("), "expected '(' after QRESYNC")
        let uidValidity = try parseNonZeroNumber()
        try parseSpace()
        var parameter = QResyncParameter(uidValidity: uidValidity, modificationSequence: try parseNonZeroNumber64())
        if skipSpace() {
            if peek() != UInt8(ascii: "(") {
                parameter.knownUIDs = try parseSequenceSet()
                if skipSpace() { parameter.sequenceMatch = try parseSequenceMatch() }
            } else {
                parameter.sequenceMatch = try parseSequenceMatch()
            }
        }
        try expect(UInt8(ascii: ")"), "expected ')' after QRESYNC parameters")
        return parameter
    }

    private mutating func parseSequenceMatch() throws(ParseFailure) -> QResyncParameter.SequenceMatch {
        try expect(UInt8(ascii: "("), "expected '(' before sequence match data")
        let numbers = try parseSequenceSet()
        try parseSpace()
        let uids = try parseSequenceSet()
        try expect(UInt8(ascii: ")"), "expected ')' after sequence match data")
        return QResyncParameter.SequenceMatch(sequenceNumbers: numbers, uids: uids)
    }

    // create = "CREATE" SP mailbox [create-params]
    // create-params = SP "(" create-param *(SP create-param) ")"
    // create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"
    mutating func parseCreateArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let mailbox = try parseMailbox()
        var parameters: [CreateParameter] = []
        if skipSpace() {
            try expect(UInt8(ascii: "("), "expected '(' before CREATE parameters")
            repeat {
                if skipKeyword("USE") {
                    try parseSpace()
                    try expect(UInt8(ascii: "("), "expected '(' after USE")
                    var attributes: [String] = []
                    if !skip(UInt8(ascii: ")")) {
                        repeat {
                            try expect(UInt8(ascii: "\\"), "expected a special-use attribute")
                            attributes.append("\\" + (try parseAtom()))
                        } while skipSpace()
                        try expect(UInt8(ascii: ")"), "expected ')' after USE attributes")
                    }
                    parameters.append(.use(attributes))
                } else {
                    parameters.append(.other(try parseExtensionParameter()))
                }
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after CREATE parameters")
        }
        return .create(mailbox, parameters)
    }

    // rename = "RENAME" SP mailbox SP mailbox [rename-params]
    mutating func parseRenameArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let from = try parseMailbox()
        try parseSpace()
        let to = try parseMailbox()
        var parameters: [ExtensionParameter] = []
        if skipSpace() {
            try expect(UInt8(ascii: "("), "expected '(' before RENAME parameters")
            repeat { parameters.append(try parseExtensionParameter()) } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after RENAME parameters")
        }
        return .rename(from: from, to: to, parameters)
    }

    // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
    mutating func parseStatusArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let mailbox = try parseMailbox()
        try parseSpace()
        return .status(mailbox, try parseStatusAttributeList())
    }

    mutating func parseStatusAttributeList() throws(ParseFailure) -> [StatusAttribute] {
        try expect(UInt8(ascii: "("), "expected '(' before status items")
        var attributes: [StatusAttribute] = []
        repeat {
            attributes.append(try parseStatusAttribute())
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after status items")
        return attributes
    }

    // status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE" /
    //              "RECENT" / "HIGHESTMODSEQ" / "APPENDLIMIT"
    private mutating func parseStatusAttribute() throws(ParseFailure) -> StatusAttribute {
        let range = try parseAtomRange()
        let name = string(range).uppercased()
        guard let attribute = StatusAttribute(rawValue: name) else {
            throw ParseFailure("unknown status item \(name.prefix(32))")
        }
        return attribute
    }

    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    // mbox-or-pat = list-mailbox / patterns
    // patterns = "(" list-mailbox *(SP list-mailbox) ")"
    mutating func parseListArguments() throws(ParseFailure) -> ListCommand {
        try parseSpace()
        var selection: [ListSelectionOption] = []
        if peek() == UInt8(ascii: "(") {
            selection = try parseListSelectionOptions()
            try parseSpace()
        }
        let reference = try parseMailbox()
        try parseSpace()
        var patterns: [String] = []
        if skip(UInt8(ascii: "(")) {
            repeat { patterns.append(try parseListMailbox()) } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after patterns")
        } else {
            patterns.append(try parseListMailbox())
        }
        var returnOptions: [ListReturnOption] = []
        if skipSpace() {
            guard skipKeyword("RETURN") else { throw ParseFailure("expected RETURN") }
            try parseSpace()
            returnOptions = try parseListReturnOptions()
        }
        return ListCommand(
            selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returnOptions)
    }

    // list-select-opts = "(" [...] ")" ; RECURSIVEMATCH needs a list-select-base-opt
    private mutating func parseListSelectionOptions() throws(ParseFailure) -> [ListSelectionOption] {
        try expect(UInt8(ascii: "("), "expected '('")
        var options: [ListSelectionOption] = []
        if !skip(UInt8(ascii: ")")) {
            repeat {
                if skipKeyword("SUBSCRIBED") {
                    options.append(.subscribed)
                } else if skipKeyword("REMOTE") {
                    options.append(.remote)
                } else if skipKeyword("RECURSIVEMATCH") {
                    options.append(.recursiveMatch)
                } else if skipKeyword("SPECIAL-USE") {
                    options.append(.specialUse)
                } else {
                    options.append(.other(try parseExtensionParameter()))
                }
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after selection options")
        }
        if options.contains(.recursiveMatch) {
            let hasBase = options.contains { option in
                switch option {
                case .subscribed, .other: return true
                default: return false
                }
            }
            guard hasBase else { throw ParseFailure("RECURSIVEMATCH needs another selection option") }
        }
        return options
    }

    // list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
    // return-option = "SUBSCRIBED" / "CHILDREN" / status-option / "SPECIAL-USE" / option-extension
    private mutating func parseListReturnOptions() throws(ParseFailure) -> [ListReturnOption] {
        try expect(UInt8(ascii: "("), "expected '(' after RETURN")
        var options: [ListReturnOption] = []
        if skip(UInt8(ascii: ")")) { return options }
        repeat {
            if skipKeyword("SUBSCRIBED") {
                options.append(.subscribed)
            } else if skipKeyword("CHILDREN") {
                options.append(.children)
            } else if skipKeyword("SPECIAL-USE") {
                options.append(.specialUse)
            } else if skipKeyword("STATUS") {
                try parseSpace()
                options.append(.status(try parseStatusAttributeList()))
            } else {
                options.append(.other(try parseExtensionParameter()))
            }
        } while skipSpace()
        try expect(UInt8(ascii: ")"), "expected ')' after return options")
        return options
    }

    // lsub = "LSUB" SP mailbox SP list-mailbox   ; RFC 3501
    mutating func parseLSubArguments() throws(ParseFailure) -> Command {
        try parseSpace()
        let reference = try parseMailbox()
        try parseSpace()
        return .lsub(reference: reference, pattern: try parseListMailbox())
    }
}
