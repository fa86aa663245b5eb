extension UserStore {
    /// Imports an mbox file (mboxrd or mboxo) into `mailboxName`, creating it if
    /// needed. Each message starts at a `From ` line at the start of the file or
    /// after a blank line; its date becomes the internal date. `>From ` quoting is
    /// undone (mboxrd), flags come from `Status:` / `X-Status:` / `X-Keywords:`, and
    /// UIDs from Dovecot's `X-IMAPbase:` / `X-UID:` when present. Those bookkeeping
    /// headers (and `Content-Length:`) are dropped; line endings become CRLF.
    public func importMbox(at path: String, into mailboxName: String, batchSize: Int = 256) async throws -> TransferReport {
        let file = try MappedFile(path: path, io: io)
        let messages = MboxParser.split(file.bytes)
        guard !messages.isEmpty || file.length == 0 else {
            throw StoreError.badImportSource(path: path, reason: "no `From ` line: not an mbox file")
        }
        let parsed = messages.map { MboxParser.parse($0) }
        let base = parsed.first?.imapBase
        let mailbox = try await mailboxForImport(mailboxName, uidValidity: base?.uidValidity)
        var report = TransferReport(mailboxes: 1)
        let keepUIDs = base != nil && parsed.allSatisfy { $0.uid != nil }
            && zip(parsed, parsed.dropFirst()).allSatisfy { $0.uid! < $1.uid! }
        var start = 0
        while start < parsed.count {
            let chunk = parsed[start..<min(start + batchSize, parsed.count)]
            let batch = chunk.map { NewMessage($0.bytes, flags: $0.flags, internalDate: $0.date) }
            report.messages += try await mailbox.append(batch, preservingUIDs: keepUIDs ? chunk.map { $0.uid! } : nil).count
            start += batchSize
        }
        if keepUIDs, let next = base?.nextUID { try await mailbox.raiseUIDNext(to: next) }
        return report
    }
}

/// Splitting and reading mbox files.
enum MboxParser {
    struct Message {
        var bytes: [UInt8]
        var flags: MessageFlags
        var date: InternalDate
        var uid: UID?
        var imapBase: (uidValidity: UInt32, nextUID: UID)?
    }

    /// Byte ranges of each message, `From ` line included.
    static func split(_ bytes: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var starts: [Int] = []
        var lineStart = 0
        var previousLineBlank = true
        while lineStart < bytes.count {
            var end = lineStart
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let isFrom = end - lineStart >= 5 && bytes[lineStart] == 0x46 && bytes[lineStart + 1] == 0x72
                && bytes[lineStart + 2] == 0x6F && bytes[lineStart + 3] == 0x6D && bytes[lineStart + 4] == 0x20
            if isFrom && previousLineBlank { starts.append(lineStart) }
            let length = end - lineStart
            previousLineBlank = length == 0 || (length == 1 && bytes[lineStart] == 0x0D)
            lineStart = end + 1
        }
        return starts.enumerated().map { i, start in
            UnsafeRawBufferPointer(rebasing: bytes[start..<(i + 1 < starts.count ? starts[i + 1] : bytes.count)])
        }
    }

    static func parse(_ raw: UnsafeRawBufferPointer) -> Message {
        var lines = raw.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            var line = ArraySlice(line)
            if line.last == 0x0D { line = line.dropLast() }
            return line
        }
        let fromLine = String(decoding: lines.removeFirst(), as: UTF8.self)
        // The separator: the blank line before the next `From ` (and the file's end).
        while let last = lines.last, last.isEmpty { lines.removeLast() }

        var message = Message(bytes: [], flags: MessageFlags(), date: asctimeDate(fromLine) ?? .now())
        var output: [UInt8] = []
        var inHeader = true
        var skippingField = false
        for line in lines {
            if inHeader {
                if line.isEmpty {
                    inHeader = false
                } else if line.first == 0x20 || line.first == 0x09 {
                    if skippingField { continue }
                } else {
                    skippingField = readBookkeeping(String(decoding: line, as: UTF8.self), into: &message)
                    if skippingField { continue }
                }
            }
            var line = line
            if isQuotedFrom(line) { line = line.dropFirst() }
            output.append(contentsOf: line)
            output.append(contentsOf: [0x0D, 0x0A])
        }
        message.bytes = output
        return message
    }

    /// `>From `, `>>From ` … lose one `>` (mboxrd).
    static func isQuotedFrom(_ line: ArraySlice<UInt8>) -> Bool {
        let rest = line.drop { $0 == 0x3E }
        return rest.count < line.count && rest.starts(with: Array("From ".utf8))
    }

    /// Reads an mbox bookkeeping header into `message`; returns true if the field
    /// is one to drop.
    static func readBookkeeping(_ line: String, into message: inout Message) -> Bool {
        guard let colon = line.firstIndex(of: ":") else { return false }
        let name = line[..<colon].lowercased()
        let value = String(line[line.index(after: colon)...]).trimmingSpaces
        switch name {
        case "status":
            if value.contains("R") { message.flags.system.insert(.seen) }
        case "x-status":
            if value.contains("A") { message.flags.system.insert(.answered) }
            if value.contains("F") { message.flags.system.insert(.flagged) }
            if value.contains("T") { message.flags.system.insert(.draft) }
            if value.contains("D") { message.flags.system.insert(.deleted) }
        case "x-keywords":
            for keyword in value.split(whereSeparator: { $0 == " " || $0 == "," }) { message.flags.keywords.insert(String(keyword)) }
        case "x-uid":
            message.uid = UID(value)
        case "x-imapbase":
            let fields = value.split(separator: " ")
            if fields.count >= 2, let validity = UInt32(fields[0]), let next = UID(fields[1]) {
                message.imapBase = (validity, next)
            }
        case "content-length", "x-imap":
            break
        default:
            return false
        }
        return true
    }

    /// The date of a `From sender Tue Jul  1 10:52:37 2003` line (UTC).
    static func asctimeDate(_ line: String) -> InternalDate? {
        let tokens = line.split(separator: " ")
        guard tokens.count >= 6 else { return nil }
        // Find "<Mon> <day> <hh:mm:ss> <year>" from the end (the sender may contain spaces).
        for i in stride(from: tokens.count - 4, through: 1, by: -1) {
            guard let month = CivilDate.month(named: tokens[i]), tokens[i].count == 3,
                  let day = Int(tokens[i + 1]), let year = Int(tokens[i + 3].prefix(4))
            else { continue }
            let time = tokens[i + 2].split(separator: ":").compactMap { Int($0) }
            guard time.count >= 2 else { continue }
            let days = Int64(CivilDate.days(year: year, month: month, day: day))
            let seconds = Int64(time[0] * 3600 + time[1] * 60 + (time.count > 2 ? time[2] : 0))
            return InternalDate(secondsSinceEpoch: days * 86_400 + seconds)
        }
        return nil
    }
}
