import IMAPCodec

/// Checks that what a server answered is what was asked for. Every workload runs each
/// exchange through one of these before it counts the operation; a failed check is an
/// error of kind `invalid <COMMAND>`, never throughput.
public enum ResponseValidator {
    /// The completion must be a tagged OK.
    public static func requireOK(_ exchange: Exchange, _ command: String) throws(LoadError) {
        guard exchange.status.kind == .ok else {
            throw LoadError("\(exchange.status.kind.rawValue) \(command)", exchange.status.text.text)
        }
    }

    /// The items a FETCH asked for, by response kind.
    public enum FetchItem: Hashable, Sendable {
        case flags, uid, rfc822Size, internalDate, body
    }

    /// A FETCH must answer every asked message with every asked item; a body must have
    /// exactly `bodySize` bytes when the size is known. Returns the body bytes received.
    @discardableResult
    public static func validateFetch(
        _ exchange: Exchange, sequenceNumbers: [UInt32], items: Set<FetchItem>, bodySize: Int? = nil
    ) throws(LoadError) -> Int {
        try requireOK(exchange, "FETCH")
        var seen: [UInt32: Set<FetchItem>] = [:]
        var bodyBytes = 0
        for case .fetch(let number, let attributes) in exchange.untagged {
            var found = seen[number, default: []]
            for attribute in attributes {
                switch attribute {
                case .flags: found.insert(.flags)
                case .uid: found.insert(.uid)
                case .rfc822Size: found.insert(.rfc822Size)
                case .internalDate: found.insert(.internalDate)
                case .bodySection(let section, _, let data) where section == .whole:
                    bodyBytes += try checkedBody(data, number: number, bodySize: bodySize)
                    found.insert(.body)
                case .rfc822(let data):
                    bodyBytes += try checkedBody(data, number: number, bodySize: bodySize)
                    found.insert(.body)
                default: continue
                }
            }
            seen[number] = found
        }
        for number in sequenceNumbers {
            guard let found = seen[number] else { throw LoadError("invalid FETCH", "no FETCH response for message \(number)") }
            let missing = items.subtracting(found)
            guard missing.isEmpty else { throw LoadError("invalid FETCH", "message \(number) lacks \(missing.map { "\($0)" }.sorted())") }
        }
        return bodyBytes
    }

    private static func checkedBody(_ data: BodyData, number: UInt32, bodySize: Int?) throws(LoadError) -> Int {
        let count: Int
        switch data {
        case .bytes(let bytes): count = bytes.count
        case .external(let streamed): count = streamed.count  // a large literal, counted in passing
        case .none: throw LoadError("invalid FETCH", "message \(number): NIL body")
        }
        if let bodySize, count != bodySize {
            throw LoadError("invalid FETCH", "message \(number): body of \(count) bytes, expected \(bodySize)")
        }
        return count
    }

    /// A STORE without .SILENT reports the new flags of each message it changed: every
    /// reported FLAGS must show `flag` set (`adding`) or cleared. A server may stay
    /// silent for a message whose flags did not change, so a missing report is an error
    /// only with `requireReport` (the caller knows the flags changed).
    public static func validateStore(
        _ exchange: Exchange, sequenceNumbers: [UInt32], flag: Flag, adding: Bool, requireReport: Bool
    ) throws(LoadError) {
        try requireOK(exchange, "STORE")
        for number in sequenceNumbers {
            let flags = exchange.untagged.lazy.compactMap { response -> [Flag]? in
                guard case .fetch(number, let attributes) = response else { return nil }
                for case .flags(let flags) in attributes { return flags }
                return nil
            }.first
            guard let flags else {
                if requireReport { throw LoadError("invalid STORE", "no FLAGS for message \(number)") }
                continue
            }
            guard flags.contains(flag) == adding else {
                throw LoadError("invalid STORE", "message \(number) \(adding ? "lacks" : "still has") \(flag) after \(adding ? "+" : "-")FLAGS")
            }
        }
    }

    /// A SELECT must report EXISTS, FLAGS and UIDVALIDITY; returns the EXISTS count.
    public static func validateSelect(_ exchange: Exchange) throws(LoadError) -> UInt32 {
        try requireOK(exchange, "SELECT")
        var exists: UInt32?
        var sawFlags = false
        var sawUIDValidity = false
        for response in exchange.untagged {
            switch response {
            case .exists(let count): exists = count
            case .flags: sawFlags = true
            case .condition(let status):
                if case .uidValidity? = status.text.code { sawUIDValidity = true }
            default: continue
            }
        }
        guard let exists else { throw LoadError("invalid SELECT", "no EXISTS") }
        guard sawFlags else { throw LoadError("invalid SELECT", "no FLAGS") }
        guard sawUIDValidity else { throw LoadError("invalid SELECT", "no UIDVALIDITY") }
        return exists
    }

    /// A STATUS must answer for the asked mailbox with every asked attribute.
    public static func validateStatus(_ exchange: Exchange, mailbox: MailboxName, attributes: [StatusAttribute]) throws(LoadError) -> [StatusValue] {
        try requireOK(exchange, "STATUS")
        for case .status(let name, let values) in exchange.untagged where name == mailbox {
            let answered = Set(values.map(Self.attribute(of:)))
            let missing = Set(attributes).subtracting(answered)
            guard missing.isEmpty else { throw LoadError("invalid STATUS", "missing \(missing.map(\.rawValue).sorted())") }
            return values
        }
        throw LoadError("invalid STATUS", "no STATUS response for \(mailbox)")
    }

    static func attribute(of value: StatusValue) -> StatusAttribute {
        switch value {
        case .messages: .messages
        case .uidNext: .uidNext
        case .uidValidity: .uidValidity
        case .unseen: .unseen
        case .deleted: .deleted
        case .size: .size
        case .recent: .recent
        case .highestModificationSequence: .highestModificationSequence
        case .appendLimit: .appendLimit
        }
    }

    /// A LIST must name every mailbox the client knows exists.
    public static func validateList(_ exchange: Exchange, mustInclude mailboxes: [MailboxName]) throws(LoadError) {
        try requireOK(exchange, "LIST")
        var names = Set<MailboxName>()
        for case .list(let item) in exchange.untagged { names.insert(item.mailbox) }
        for mailbox in mailboxes where !names.contains(mailbox) {
            throw LoadError("invalid LIST", "\(mailbox) missing from \(names.count) listed")
        }
    }

    /// An APPEND must be OK, and carry APPENDUID when the server advertises UIDPLUS
    /// (or IMAP4rev2, where it is required). Returns the assigned UID if given.
    @discardableResult
    public static func validateAppend(_ exchange: Exchange, expectsAppendUID: Bool) throws(LoadError) -> UInt32? {
        try requireOK(exchange, "APPEND")
        if case .appendUID(_, let uids)? = exchange.status.text.code,
            case .ranges(let ranges) = uids, ranges.count == 1,
            case .number(let uid) = ranges[0].first, ranges[0].first == ranges[0].last
        {
            return uid
        }
        if expectsAppendUID { throw LoadError("invalid APPEND", "no APPENDUID with UIDPLUS advertised") }
        return nil
    }
}
