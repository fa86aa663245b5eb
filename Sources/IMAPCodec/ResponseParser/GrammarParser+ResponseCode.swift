/// Response codes, as a client reads them.
extension GrammarParser {
    // resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / ... /
    //                  atom [SP 1*<any TEXT-CHAR except "]">]
    mutating func parseResponseCode() throws(ParseFailure) -> ResponseCode {
        let name = try parseAtomRange()
        let simple: [(StaticString, ResponseCode)] = [
            ("ALERT", .alert), ("PARSE", .parse), ("READ-ONLY", .readOnly), ("READ-WRITE", .readWrite),
            ("TRYCREATE", .tryCreate), ("UIDNOTSTICKY", .uidNotSticky), ("UNAVAILABLE", .unavailable),
            ("AUTHENTICATIONFAILED", .authenticationFailed), ("AUTHORIZATIONFAILED", .authorizationFailed),
            ("EXPIRED", .expired), ("PRIVACYREQUIRED", .privacyRequired), ("CONTACTADMIN", .contactAdmin),
            ("NOPERM", .noPermission), ("INUSE", .inUse), ("EXPUNGEISSUED", .expungeIssued),
            ("CORRUPTION", .corruption), ("SERVERBUG", .serverBug), ("CLIENTBUG", .clientBug), ("CANNOT", .cannot),
            ("LIMIT", .limit), ("OVERQUOTA", .overQuota), ("ALREADYEXISTS", .alreadyExists),
            ("NONEXISTENT", .nonExistent), ("NOTSAVED", .notSaved), ("HASCHILDREN", .hasChildren),
            ("CLOSED", .closed), ("UNKNOWN-CTE", .unknownCTE), ("NOMODSEQ", .noModificationSequence),
            ("COMPRESSIONACTIVE", .compressionActive), ("TOOBIG", .tooBig), ("USEATTR", .useAttribute),
        ]
        for (keyword, code) in simple where equalsIgnoringCase(name, keyword) { return code }
        if equalsIgnoringCase(name, "CAPABILITY") {
            var capabilities: [String] = []
            while skipSpace() { capabilities.append(try parseAtom()) }
            return .capability(capabilities)
        }
        if equalsIgnoringCase(name, "BADCHARSET") {
            var charsets: [String] = []
            if skipSpace() {
                try expect(UInt8(ascii: "("), "expected '(' after BADCHARSET")
                repeat { charsets.append(try parseAString()) } while skipSpace()
                try expect(UInt8(ascii: ")"), "expected ')' after charsets")
            }
            return .badCharset(charsets)
        }
        if equalsIgnoringCase(name, "PERMANENTFLAGS") {
            try parseSpace()
            return .permanentFlags(try parseFlagList(permanent: true))
        }
        if equalsIgnoringCase(name, "UIDNEXT") {
            try parseSpace()
            return .uidNext(try parseNonZeroNumber())
        }
        if equalsIgnoringCase(name, "UIDVALIDITY") {
            try parseSpace()
            return .uidValidity(try parseNonZeroNumber())
        }
        if equalsIgnoringCase(name, "HIGHESTMODSEQ") {
            try parseSpace()
            return .highestModificationSequence(try parseNumber64())
        }
        if equalsIgnoringCase(name, "MODIFIED") {
            try parseSpace()
            return .modified(try parseSequenceSet())
        }
        if equalsIgnoringCase(name, "APPENDUID") {
            try parseSpace()
            let validity = try parseNonZeroNumber()
            try parseSpace()
            return .appendUID(uidValidity: validity, uids: try parseSequenceSet())
        }
        if equalsIgnoringCase(name, "COPYUID") {
            try parseSpace()
            let validity = try parseNonZeroNumber()
            try parseSpace()
            let source = try parseSequenceSet()
            try parseSpace()
            return .copyUID(uidValidity: validity, source: source, destination: try parseSequenceSet())
        }
        var text: String?
        if skipSpace() {
            let start = index
            while let byte = peek(), byte != UInt8(ascii: "]"), byte != 0x0D, byte != 0x0A { advance() }
            text = validatedString(start..<index)
        }
        return .other(name: string(name), text: text)
    }
}
