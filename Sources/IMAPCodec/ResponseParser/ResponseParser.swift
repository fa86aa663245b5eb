/// Turns framed server responses into typed ``Response`` values: the load generator's
/// receiving side.
///
/// Server output frames like client input (lines and `{n}` literals), so a client runs a
/// ``CommandFramer`` over what it receives and ignores its `.continuationRequest`
/// events, which only mean "a literal follows". ENVELOPE, BODY and BODYSTRUCTURE come
/// back as ``PreEncodedBytes``: their text, unparsed.
public enum ResponseParser {
    /// Parses one complete response frame, CRLF included.
    public static func parseResponse(_ frame: ArraySlice<UInt8>) throws(ParseFailure) -> Response {
        try withGrammarParser(frame) { (parser) throws(ParseFailure) -> Response in
            let response = try parser.parseResponse()
            try parser.parseCommandEnd()
            return response
        }
    }
}

extension GrammarParser {
    // response = continue-req / response-data / response-tagged
    mutating func parseResponse() throws(ParseFailure) -> Response {
        if skip(UInt8(ascii: "+")) {
            // continue-req = "+" SP (resp-text / base64) CRLF
            _ = skipSpace()
            if peek() == UInt8(ascii: "[") { return .continuation(.text(try parseResponseText())) }
            let start = index
            let base64 = try? parseBase64()
            if let base64, isAtLineEnd { return .continuation(.base64(base64)) }
            rewind(to: start)
            return .continuation(.text(try parseResponseText()))
        }
        if skip(UInt8(ascii: "*")) {
            try parseSpace()
            return .untagged(try parseUntaggedResponse())
        }
        let tag = try parseTag()
        try parseSpace()
        guard let status = try parseStatusResponse() else { throw ParseFailure("expected OK, NO or BAD") }
        return .tagged(tag: tag, status)
    }

    /// `resp-cond-state / resp-cond-auth / resp-cond-bye`, or nil (nothing consumed) if
    /// the next atom is not a status.
    mutating func parseStatusResponse() throws(ParseFailure) -> StatusResponse? {
        let kind: StatusResponse.Kind
        if skipKeyword("OK") {
            kind = .ok
        } else if skipKeyword("NO") {
            kind = .no
        } else if skipKeyword("BAD") {
            kind = .bad
        } else if skipKeyword("PREAUTH") {
            kind = .preauth
        } else if skipKeyword("BYE") {
            kind = .bye
        } else {
            return nil
        }
        _ = skipSpace()
        return StatusResponse(kind, try parseResponseText())
    }

    // resp-text = ["[" resp-text-code "]" SP] [text]
    mutating func parseResponseText() throws(ParseFailure) -> ResponseText {
        var code: ResponseCode?
        if skip(UInt8(ascii: "[")) {
            code = try parseResponseCode()
            try expect(UInt8(ascii: "]"), "expected ']' after response code")
            _ = skipSpace()
        }
        let start = index
        while let byte = peek(), byte != 0x0D, byte != 0x0A { advance() }
        guard let text = validatedString(start..<index) else { throw ParseFailure("response text is not UTF-8") }
        return ResponseText(code: code, text: text)
    }

    private mutating func parseUntaggedResponse() throws(ParseFailure) -> UntaggedResponse {
        if let status = try parseStatusResponse() { return .condition(status) }
        if let byte = peek(), ByteClass.isDigit(byte) {
            // message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)); number SP "EXISTS" / "RECENT"
            let number = try parseNumber()
            try parseSpace()
            if skipKeyword("EXISTS") { return .exists(number) }
            if skipKeyword("RECENT") { return .recent(number) }
            if skipKeyword("EXPUNGE") { return .expunge(number) }
            if skipKeyword("FETCH") {
                try parseSpace()
                return .fetch(number, try parseMessageAttributes())
            }
            throw ParseFailure("unknown message data")
        }
        let name = try parseAtomRange()
        if equalsIgnoringCase(name, "CAPABILITY") { return .capability(parseAtomsToLineEnd()) }
        if equalsIgnoringCase(name, "ENABLED") { return .enabled(parseAtomsToLineEnd()) }
        if equalsIgnoringCase(name, "FLAGS") {
            try parseSpace()
            return .flags(try parseFlagList())
        }
        if equalsIgnoringCase(name, "LIST") { return .list(try parseMailboxList()) }
        if equalsIgnoringCase(name, "LSUB") { return .lsub(try parseMailboxList()) }
        if equalsIgnoringCase(name, "STATUS") { return try parseStatusData() }
        if equalsIgnoringCase(name, "SEARCH") { return try parseSearchData() }
        if equalsIgnoringCase(name, "ESEARCH") { return .esearch(try parseESearchResponse()) }
        if equalsIgnoringCase(name, "VANISHED") {
            try parseSpace()
            var earlier = false
            if peek() == UInt8(ascii: "(") {
                try expect(UInt8(ascii: "("), "expected '('")
                guard skipKeyword("EARLIER") else { throw ParseFailure("expected EARLIER") }
                try expect(UInt8(ascii: ")"), "expected ')'")
                try parseSpace()
                earlier = true
            }
            return .vanished(earlier: earlier, try parseSequenceSet())
        }
        if equalsIgnoringCase(name, "NAMESPACE") { return .namespace(try parseNamespaceResponse()) }
        if equalsIgnoringCase(name, "ID") { return try parseIDResponse() }
        throw ParseFailure("unknown untagged response \(string(name).prefix(32))")
    }

    private mutating func parseAtomsToLineEnd() -> [String] {
        var atoms: [String] = []
        while skipSpace() {
            guard let atom = try? parseAtom() else { break }
            atoms.append(atom)
        }
        return atoms
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
    //                mailbox [SP mbox-list-extended]
    private mutating func parseMailboxList() throws(ParseFailure) -> ListResponse {
        try parseSpace()
        try expect(UInt8(ascii: "("), "expected '(' before mailbox attributes")
        var attributes: [String] = []
        if !skip(UInt8(ascii: ")")) {
            repeat { attributes.append(try parseFlag().rawValue) } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after mailbox attributes")
        }
        try parseSpace()
        let delimiter = try parseDelimiter()
        try parseSpace()
        let mailbox = try parseMailbox()
        var items: [ExtensionParameter] = []
        if skipSpace() {
            try expect(UInt8(ascii: "("), "expected '(' before extended items")
            if !skip(UInt8(ascii: ")")) {
                repeat {
                    let tag = try parseAString()
                    try parseSpace()
                    items.append(ExtensionParameter(name: tag, value: try parseExtensionValue()))
                } while skipSpace()
                try expect(UInt8(ascii: ")"), "expected ')' after extended items")
            }
        }
        return ListResponse(attributes: attributes, delimiter: delimiter, mailbox: mailbox, extendedItems: items)
    }

    private mutating func parseDelimiter() throws(ParseFailure) -> Unicode.Scalar? {
        if skipKeyword("NIL") { return nil }
        let text = try utf8String(parseQuoted())
        guard text.unicodeScalars.count == 1 else { throw ParseFailure("delimiter must be one character") }
        return text.unicodeScalars.first
    }

    // "STATUS" SP mailbox SP "(" [status-att-list] ")"
    private mutating func parseStatusData() throws(ParseFailure) -> UntaggedResponse {
        try parseSpace()
        let mailbox = try parseMailbox()
        try parseSpace()
        try expect(UInt8(ascii: "("), "expected '(' before status values")
        var values: [StatusValue] = []
        if !skip(UInt8(ascii: ")")) {
            repeat {
                let name = string(try parseAtomRange()).uppercased()
                try parseSpace()
                guard let attribute = StatusAttribute(rawValue: name) else { throw ParseFailure("unknown status item") }
                switch attribute {
                case .messages: values.append(.messages(try parseNumber()))
                case .uidNext: values.append(.uidNext(try parseNumber()))
                case .uidValidity: values.append(.uidValidity(try parseNumber()))
                case .unseen: values.append(.unseen(try parseNumber()))
                case .deleted: values.append(.deleted(try parseNumber()))
                case .size: values.append(.size(try parseNumber64()))
                case .recent: values.append(.recent(try parseNumber()))
                case .highestModificationSequence: values.append(.highestModificationSequence(try parseNumber64()))
                case .appendLimit: values.append(.appendLimit(skipKeyword("NIL") ? nil : try parseNumber64()))
                }
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after status values")
        }
        return .status(mailbox, values)
    }

    // "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq]
    private mutating func parseSearchData() throws(ParseFailure) -> UntaggedResponse {
        var numbers: [UInt32] = []
        var modificationSequence: UInt64?
        while skipSpace() {
            if skip(UInt8(ascii: "(")) {
                guard skipKeyword("MODSEQ") else { throw ParseFailure("expected MODSEQ") }
                try parseSpace()
                modificationSequence = try parseNumber64()
                try expect(UInt8(ascii: ")"), "expected ')'")
                break
            }
            numbers.append(try parseNonZeroNumber())
        }
        return .search(numbers, modificationSequence: modificationSequence)
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    private mutating func parseESearchResponse() throws(ParseFailure) -> ESearchResponse {
        var response = ESearchResponse(correlator: nil, byUID: false, items: [])
        while skipSpace() {
            if skip(UInt8(ascii: "(")) {
                guard skipKeyword("TAG") else { throw ParseFailure("expected TAG") }
                try parseSpace()
                response.correlator = try parseAString()
                try expect(UInt8(ascii: ")"), "expected ')' after correlator")
            } else if skipKeyword("UID") {
                response.byUID = true
            } else if skipKeyword("MIN") {
                try parseSpace()
                response.items.append(.min(try parseNonZeroNumber()))
            } else if skipKeyword("MAX") {
                try parseSpace()
                response.items.append(.max(try parseNonZeroNumber()))
            } else if skipKeyword("COUNT") {
                try parseSpace()
                response.items.append(.count(try parseNumber()))
            } else if skipKeyword("ALL") {
                try parseSpace()
                response.items.append(.all(try parseSequenceSet()))
            } else if skipKeyword("MODSEQ") {
                try parseSpace()
                response.items.append(.modificationSequence(try parseNumber64()))
            } else {
                let name = try parseTaggedExtLabel()
                try parseSpace()
                response.items.append(.other(ExtensionParameter(name: name, value: try parseExtensionValue())))
            }
        }
        return response
    }

    // namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
    private mutating func parseNamespaceResponse() throws(ParseFailure) -> NamespaceResponse {
        try parseSpace()
        let personal = try parseNamespace()
        try parseSpace()
        let other = try parseNamespace()
        try parseSpace()
        return NamespaceResponse(personal: personal, otherUsers: other, shared: try parseNamespace())
    }

    // namespace = nil / "(" 1*namespace-descr ")"
    private mutating func parseNamespace() throws(ParseFailure) -> [NamespaceDescription]? {
        if skipKeyword("NIL") { return nil }
        try expect(UInt8(ascii: "("), "expected '(' or NIL")
        var descriptions: [NamespaceDescription] = []
        while skip(UInt8(ascii: "(")) {
            let prefix = try parseString()
            try parseSpace()
            let delimiter = try parseDelimiter()
            // namespace-response-extensions are skipped: nothing here uses them.
            while skipSpace() {
                _ = try parseString()
                try parseSpace()
                _ = try parseExtensionValue()
            }
            try expect(UInt8(ascii: ")"), "expected ')' after namespace")
            descriptions.append(NamespaceDescription(prefix: prefix, delimiter: delimiter))
        }
        try expect(UInt8(ascii: ")"), "expected ')' after namespaces")
        guard !descriptions.isEmpty else { throw ParseFailure("empty namespace list") }
        return descriptions
    }

    // id_response ::= "ID" SPACE id_params_list
    private mutating func parseIDResponse() throws(ParseFailure) -> UntaggedResponse {
        try parseSpace()
        if skipKeyword("NIL") { return .id(nil) }
        try expect(UInt8(ascii: "("), "expected '(' or NIL")
        var fields: [IDField] = []
        if !skip(UInt8(ascii: ")")) {
            repeat {
                let key = try parseString()
                try parseSpace()
                fields.append(IDField(key: key, value: try parseNString()))
            } while skipSpace()
            try expect(UInt8(ascii: ")"), "expected ')' after ID fields")
        }
        return .id(fields)
    }
}
