#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// UIDs a COPY or MOVE gave the copies (RFC 4315 COPYUID), pairwise.
public struct CopiedUIDs: Sendable, Equatable {
    public var uidValidity: UInt32
    public var source: [UID]
    public var destination: [UID]
}

extension Mailbox {
    /// COPY / UID COPY into `destination` (which may be this mailbox). The copies
    /// share the source's files through hard links, keep flags and internal date,
    /// and count against quota. Returns once durable in the destination.
    public func copy(uids: UIDSet, to destination: Mailbox) async throws -> CopiedUIDs {
        struct Row: Sendable {
            var uid: UID, flags: UInt8, keywords: Set<String>, date: Int64, zone: Int16, size: UInt32, sentDay: Int32
        }
        let rows = core.withLock { core -> [Row] in
            core.writerRows(within: uids).map { row in
                Row(
                    uid: row.uid, flags: row.flags, keywords: core.head.keywords.keywords(in: row.keywordMask),
                    date: row.internalDate, zone: row.zoneMinutes, size: row.size, sentDay: row.sentDay)
            }
        }
        let uidValidity = destination.status().uidValidity
        guard !rows.isEmpty else { return CopiedUIDs(uidValidity: uidValidity, source: [], destination: []) }
        try await syncFilesBeforeLinking(rows.map(\.uid))
        let bytes = rows.reduce(Int64(0)) { $0 + Int64($1.size) }
        try destination.quota?.reserve(messages: Int64(rows.count), bytes: bytes)
        var reservedMessages = Int64(rows.count), reservedBytes = bytes
        defer { destination.quota?.release(messages: reservedMessages, bytes: reservedBytes) }

        let (pairs, ticket) = try await destination.gate.withGate { () async throws -> ([(UID, UID)], UInt64?) in
            var (table, uidNext, modSeq) = destination.core.withLock {
                ($0.head.keywords, $0.head.uidNext, $0.head.highestModSeq)
            }
            var records: [JournalRecord] = []
            var pairs: [(UID, UID)] = []
            var linked: [String] = []
            destination.markDirectoryDirty()
            do {
                for row in rows {
                    let target = destination.messagePath(uidNext)
                    do {
                        try io.link(messagePath(row.uid), target)
                    } catch StoreError.io(_, _, EEXIST) {
                        // A leftover of an append that crashed before its record.
                        try io.unlink(target)
                        try io.link(messagePath(row.uid), target)
                    } catch StoreError.io(_, _, ENOENT) {
                        continue // expunged from the source meanwhile: nothing to copy
                    }
                    linked.append(target)
                    let mask = try Self.define(row.keywords, in: &table, records: &records)
                    modSeq += 1
                    records.append(.append(.init(
                        uid: uidNext, modSeq: modSeq, flags: row.flags, keywordMask: mask, internalDate: row.date,
                        zoneMinutes: row.zone, size: row.size, sentDay: row.sentDay)))
                    pairs.append((row.uid, uidNext))
                    uidNext += 1
                }
                guard !pairs.isEmpty else { return (pairs, nil) }
                let event = MailboxChange.appended(UIDSet(uids: pairs.map(\.1)), highestModSeq: modSeq)
                return (pairs, try destination.writeRecords(records, event: event))
            } catch {
                for path in linked { try? io.unlink(path) }
                throw error
            }
        }
        let copiedBytes = rows.filter { row in pairs.contains { $0.0 == row.uid } }.reduce(Int64(0)) { $0 + Int64($1.size) }
        reservedMessages -= Int64(pairs.count)
        reservedBytes -= copiedBytes
        if let ticket {
            try await destination.acknowledge(ticket)
            await destination.compactIfNeeded()
        }
        return CopiedUIDs(uidValidity: uidValidity, source: pairs.map(\.0), destination: pairs.map(\.1))
    }

    /// A link shares the inode, so a file whose body lives only in this journal
    /// must be durable before another mailbox links it (its journal has no copy).
    private func syncFilesBeforeLinking(_ uids: [UID]) async throws {
        let wanted = Set(uids)
        let unsynced = core.withLock { core in core.unsyncedFiles.filter { wanted.contains($0) } }
        guard !unsynced.isEmpty else { return }
        try await bodySyncer.makeDurable(paths: unsynced.map(messagePath))
        let done = Set(unsynced)
        core.withLock { $0.unsyncedFiles.removeAll { done.contains($0) } }
    }

    /// MOVE / UID MOVE (RFC 6851): COPY, then removal from this mailbox once the
    /// copies are durable. A crash in between leaves the messages in both, never in
    /// neither.
    public func move(uids: UIDSet, to destination: Mailbox) async throws -> CopiedUIDs {
        let copied = try await copy(uids: uids, to: destination)
        if destination !== self {
            try await remove(uids: UIDSet(uids: copied.source))
        }
        return copied
    }
}
