/// A message to append, as APPEND (or an import) hands it over.
public struct NewMessage: Sendable {
    /// The message, CRLF line endings, as it will be served by FETCH BODY[].
    public var bytes: [UInt8]
    public var flags: MessageFlags
    public var internalDate: InternalDate

    public init(_ bytes: [UInt8], flags: MessageFlags = MessageFlags(), internalDate: InternalDate = .now()) {
        self.bytes = bytes
        self.flags = flags
        self.internalDate = internalDate
    }
}

extension Mailbox {
    /// APPEND: stores one message; returns its UID once it is durable.
    public func append(
        _ bytes: [UInt8], flags: MessageFlags = MessageFlags(), internalDate: InternalDate = .now()
    ) async throws -> UID {
        try await append([NewMessage(bytes, flags: flags, internalDate: internalDate)])[0]
    }

    /// MULTIAPPEND: stores the messages together (all or none) with consecutive
    /// UIDs; returns them once durable.
    public func append(_ messages: [NewMessage]) async throws -> [UID] {
        try await append(messages, preservingUIDs: nil)
    }

    /// The append path; an import passes the UIDs to keep (each ≥ UIDNEXT, ascending).
    func append(_ messages: [NewMessage], preservingUIDs: [UID]?) async throws -> [UID] {
        guard !messages.isEmpty else { return [] }
        if let uids = preservingUIDs { precondition(uids.count == messages.count) }
        var totalBytes: Int64 = 0
        for message in messages {
            guard message.bytes.count <= Int(UInt32.max) else { throw StoreError.messageTooLarge(message.bytes.count) }
            totalBytes += Int64(message.bytes.count)
        }
        try quota?.reserve(messages: Int64(messages.count), bytes: totalBytes)
        var reserved = true
        defer { if reserved { quota?.release(messages: Int64(messages.count), bytes: totalBytes) } }

        // Bodies first, outside the gate: parsing (and writing large bodies) overlaps
        // across writers. A small body goes into the journal and stays there (its
        // pack, see `BodyLocation`): one shared sync covers it and no file is made.
        // A large one gets its own file, synced first, so no record names a lost body.
        struct Staged {
            var path: String?
            var sentDay: Int32
            var structure: [UInt8]
        }
        var staged: [Staged] = []
        defer { for file in staged { if let path = file.path { try? io.unlink(path) } } }
        let durable = options.durability == .durable
        for message in messages {
            let analysis = message.bytes.withUnsafeBytes { options.analyzer.analyze($0) }
            let sentDay = analysis.sentDay ?? MailboxIndex.noSentDay
            if message.bytes.count <= options.journaledBodyLimit, options.journaledBodyLimit > 0 {
                staged.append(Staged(path: nil, sentDay: sentDay, structure: analysis.structure))
                continue
            }
            let path = temporaryPath()
            try await MessageFile.write(
                body: message.bytes, structure: analysis.structure, to: path, io: io, syncer: durable ? bodySyncer : nil)
            staged.append(Staged(path: path, sentDay: sentDay, structure: analysis.structure))
        }

        let (uids, ticket) = try await gate.withGate { () async throws -> ([UID], UInt64) in
            var (keywordTable, uidNext, modSeq) = core.withLock { ($0.head.keywords, $0.head.uidNext, $0.head.highestModSeq) }
            var records: [JournalRecord] = []
            var uids: [UID] = []
            for (i, message) in messages.enumerated() {
                let mask = try Self.define(message.flags.keywords, in: &keywordTable, records: &records)
                let uid = preservingUIDs.map { max($0[i], uidNext) } ?? uidNext
                uidNext = uid + 1
                modSeq += 1
                uids.append(uid)
                if staged[i].path == nil {
                    records.append(.body(uid: uid, message: message.bytes, structure: staged[i].structure))
                }
                records.append(.append(.init(
                    uid: uid, modSeq: modSeq, flags: message.flags.system.rawValue, keywordMask: mask,
                    internalDate: message.internalDate.secondsSinceEpoch, zoneMinutes: message.internalDate.zoneMinutes,
                    size: UInt32(message.bytes.count), sentDay: staged[i].sentDay)))
            }
            var renamed: [String] = []
            if staged.contains(where: { $0.path != nil }) { markDirectoryDirty() }
            do {
                for (i, uid) in uids.enumerated() {
                    guard let path = staged[i].path else { continue }
                    try io.rename(path, messagePath(uid))
                    renamed.append(messagePath(uid))
                }
                let event = MailboxChange.appended(UIDSet(uids: uids), highestModSeq: modSeq)
                return (uids, try writeRecords(records, event: event))
            } catch {
                for path in renamed { try? io.unlink(path) }
                throw error
            }
        }
        staged.removeAll()
        reserved = false
        try await acknowledge(ticket)
        await compactIfNeeded()
        return uids
    }

    /// Interns keywords, adding `defineKeyword` records for new ones; returns the mask.
    static func define(_ keywords: Set<String>, in table: inout KeywordTable, records: inout [JournalRecord]) throws -> UInt64 {
        var mask: UInt64 = 0
        for keyword in keywords.sorted() {
            if let bit = table.bit(of: keyword) {
                mask |= 1 << UInt64(bit)
                continue
            }
            guard !table.isFull else { throw StoreError.tooManyKeywords(limit: KeywordTable.capacity) }
            let bit = table.define(keyword)
            records.append(.defineKeyword(bit: bit, name: keyword))
            mask |= 1 << UInt64(bit)
        }
        return mask
    }
}
