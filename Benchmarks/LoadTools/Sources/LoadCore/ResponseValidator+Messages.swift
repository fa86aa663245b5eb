import IMAPCodec

/// Checks for the message-level workloads: header FETCH over a whole mailbox, SEARCH
/// answers against the corpus, and MULTIAPPEND while seeding.
extension ResponseValidator {
    /// The message numbers a SEARCH returned, from `* SEARCH` (IMAP4rev1) or
    /// `* ESEARCH ... ALL set` / `COUNT 0` (RFC 4731, IMAP4rev2). Throws when there is no
    /// answer, or an ESEARCH ALL holds `*` (a server must send numbers) .
    public static func searchResult(_ exchange: Exchange) throws(LoadError) -> [UInt32] {
        try requireOK(exchange, "SEARCH")
        var numbers: [UInt32] = []
        var answered = false
        for response in exchange.untagged {
            switch response {
            case .search(let found, _):
                numbers.append(contentsOf: found)
                answered = true
            case .esearch(let result):
                answered = true
                for item in result.items {
                    guard case .all(let set) = item else { continue }
                    guard case .ranges(let ranges) = set else { throw LoadError("invalid SEARCH", "ESEARCH ALL names $") }
                    for range in ranges {
                        guard case .number(let first) = range.first, case .number(let last) = range.last else {
                            throw LoadError("invalid SEARCH", "ESEARCH ALL holds *")
                        }
                        numbers.append(contentsOf: min(first, last)...max(first, last))
                    }
                }
            default: continue
            }
        }
        guard answered else { throw LoadError("invalid SEARCH", "no SEARCH or ESEARCH response") }
        return numbers
    }

    /// A SEARCH over the first `exists` corpus messages must return exactly the messages
    /// `search` matches for `parameter`: none missing, none extra, none twice.
    public static func validateSearch(_ exchange: Exchange, search: CorpusSearch, parameter: Int, exists: UInt32) throws(LoadError) -> Int {
        let numbers = try searchResult(exchange)
        var seen = Set<UInt32>(minimumCapacity: numbers.count)
        for number in numbers {
            guard number >= 1, number <= exists else { throw LoadError("invalid SEARCH", "message \(number) of \(exists)") }
            guard seen.insert(number).inserted else { throw LoadError("invalid SEARCH", "message \(number) twice") }
            guard search.matches(parameter, serial: Int(number) - 1) else {
                throw LoadError("invalid SEARCH", "\(search.operationName) \(parameter) returned message \(number), which does not match")
            }
        }
        let expected = (0..<Int(exists)).lazy.filter { search.matches(parameter, serial: $0) }.count
        guard numbers.count == expected else {
            throw LoadError("invalid SEARCH", "\(search.operationName) \(parameter) returned \(numbers.count) messages, expected \(expected)")
        }
        return numbers.count
    }

    /// A header FETCH over `1:*` must answer every one of `exists` messages once with
    /// UID, FLAGS and a non-empty header section; returns the header bytes received.
    /// (``HeaderFetchTally`` holds the checks, which the fast lane shares.)
    public static func validateHeaderFetch(_ exchange: Exchange, exists: UInt32) throws(LoadError) -> Int {
        var tally = HeaderFetchTally(exists: exists)
        for response in exchange.untagged { tally.note(response) }
        return try tally.finish(status: exchange.status)
    }

    /// A MULTIAPPEND of `count` messages must be OK and, with UIDPLUS, carry an APPENDUID
    /// naming exactly `count` UIDs.
    public static func validateMultiAppend(_ exchange: Exchange, count: Int, expectsAppendUID: Bool) throws(LoadError) {
        try requireOK(exchange, "APPEND")
        guard case .appendUID(_, let uids)? = exchange.status.text.code else {
            if expectsAppendUID { throw LoadError("invalid APPEND", "no APPENDUID with UIDPLUS advertised") }
            return
        }
        guard case .ranges(let ranges) = uids else { throw LoadError("invalid APPEND", "APPENDUID names $") }
        var total = 0
        for range in ranges {
            guard case .number(let first) = range.first, case .number(let last) = range.last else {
                throw LoadError("invalid APPEND", "APPENDUID holds *")
            }
            total += Int(max(first, last) - min(first, last)) + 1
        }
        guard total == count else { throw LoadError("invalid APPEND", "APPENDUID names \(total) UIDs for \(count) messages") }
    }
}
