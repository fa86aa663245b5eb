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
    /// share the source's bodies (a body in a pack: the pack is hard-linked into
    /// the destination; a file of its own: the file is), keep flags and internal
    /// date, and count against quota. Returns once durable in the destination.
    ///
    /// Only durable messages are copied (what readers see): a shared body must
    /// already be on disk, since the destination's journal does not hold it.
    public func copy(uids: UIDSet, to destination: Mailbox) async throws -> CopiedUIDs {
        struct Row: Sendable {
            var uid: UID, flags: UInt8, keywords: Set<String>, date: Int64, zone: Int16, size: UInt32, sentDay: Int32
            var body: BodyLocation
        }
        let rows = core.withLock { core -> [Row] in
            let index = core.index
            return uids.compactMap { uid in
                guard let row = index.row(of: uid) else { return nil }
                return Row(
                    uid: uid, flags: index.flags[row], keywords: index.keywords.keywords(in: index.keywordMasks[row]),
                    date: index.internalDates[row], zone: index.zones[row], size: index.sizes[row],
                    sentDay: index.sentDays[row], body: index.bodyLocation(row: row))
            }
        }
        let uidValidity = destination.status().uidValidity
        guard !rows.isEmpty else { return CopiedUIDs(uidValidity: uidValidity, source: [], destination: []) }
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
            var packsLinked: Set<UInt64> = []
            do {
                for row in rows {
                    if row.body.isOwnFile {
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
                        destination.markDirectoryDirty()
                    } else {
                        if destination !== self, !packsLinked.contains(row.body.pack) {
                            do {
                                try io.link(packPath(row.body.pack), destination.packPath(row.body.pack))
                                destination.markPacksDirty()
                            } catch StoreError.io(_, _, EEXIST) {
                                // Shared before: the destination links it already. Pack
                                // names are unique per user, so another file there
                                // would be damage: refuse rather than misread bodies.
                                guard sameFile(packPath(row.body.pack), destination.packPath(row.body.pack)) else {
                                    throw StoreError.corrupt(
                                        path: destination.packPath(row.body.pack), reason: "a different pack of that name")
                                }
                            } catch StoreError.io(_, _, ENOENT) {
                                continue // every message in it expunged and the pack swept meanwhile
                            }
                            packsLinked.insert(row.body.pack)
                        }
                        records.append(.bodyAt(uid: uidNext, location: row.body))
                    }
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
