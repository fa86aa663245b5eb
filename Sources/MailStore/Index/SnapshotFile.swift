/// A compacted index (`<mailbox>/index`): everything the journal said up to a
/// point, written atomically, so opening a mailbox reads one file and replays only
/// the journal's tail.
///
///     [magic "MSS1": u32][version: u32][generation: u64][uidvalidity: u32][uidnext: u32]
///     [highestmodseq: u64][messages: u64][keywords: u32][expunged runs: u64]
///     keyword names; columns uid, flags, keywords, modseq, date, zone, size, sent day,
///     body pack, body offset (version 2; version 1 had no body columns: every
///     body was a file of its own); recent expunged runs (low u32, high u32,
///     modseq u64); version 3 only: [merged runs: u64] then merged runs (low u32,
///     high u32, latest modseq u64, earliest modseq u64) (`ExpungeHistory`);
///     [crc32c of all before: u32]
///
/// Version 2 is still written while the history has nothing merged (most
/// mailboxes), so such a snapshot stays readable by a server that predates 3.
enum SnapshotFile {
    static let magic: UInt32 = 0x3153_534D // "MSS1"
    static let version: UInt32 = 3

    static func encode(_ index: MailboxIndex, generation: UInt64) -> [UInt8] {
        let history = index.expungeHistory
        var writer = ByteWriter(capacity: 72 + index.count * 51 + history.recent.count * 16 + history.coalesced.count * 24)
        writer.put(magic)
        writer.put(history.coalesced.isEmpty ? 2 : version)
        writer.put(generation)
        writer.put(index.uidValidity)
        writer.put(index.uidNext)
        writer.put(index.highestModSeq)
        writer.put(UInt64(index.count))
        writer.put(UInt32(index.keywords.names.count))
        writer.put(UInt64(history.recent.count))
        for name in index.keywords.names { writer.put(name) }
        writer.putColumn(index.uids)
        writer.putColumn(index.flags)
        writer.putColumn(index.keywordMasks)
        writer.putColumn(index.modSeqs)
        writer.putColumn(index.internalDates)
        writer.putColumn(index.zones)
        writer.putColumn(index.sizes)
        writer.putColumn(index.sentDays)
        writer.putColumn(index.bodyPacks)
        writer.putColumn(index.bodyOffsets)
        for run in history.recent {
            writer.put(run.low)
            writer.put(run.high)
            writer.put(run.modSeq)
        }
        if !history.coalesced.isEmpty {
            writer.put(UInt64(history.coalesced.count))
            for run in history.coalesced {
                writer.put(run.low)
                writer.put(run.high)
                writer.put(run.latest)
                writer.put(run.earliest)
            }
        }
        writer.put(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Decodes a snapshot, reserving `spare` extra rows so the journal tail and the
    /// next appends do not reallocate the columns.
    static func decode(_ bytes: [UInt8], path: String, spare: Int) throws -> (MailboxIndex, generation: UInt64) {
        try bytes.withUnsafeBytes { buffer in
            guard buffer.count >= 4,
                  CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 4)]))
                    == UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: buffer.count - 4, as: UInt32.self))
            else { throw StoreError.corrupt(path: path, reason: "snapshot checksum mismatch") }
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count - 4)]))
            do {
                guard try reader.get(UInt32.self) == magic else {
                    throw StoreError.corrupt(path: path, reason: "not a snapshot")
                }
                let version: UInt32 = try reader.get()
                guard (1...Self.version).contains(version) else {
                    throw StoreError.corrupt(path: path, reason: "snapshot version \(version) unknown")
                }
                let generation: UInt64 = try reader.get()
                var index = MailboxIndex(uidValidity: try reader.get())
                index.uidNext = try reader.get()
                index.highestModSeq = try reader.get()
                let count = Int(try reader.get(UInt64.self))
                let keywordCount = Int(try reader.get(UInt32.self))
                let expungedCount = Int(try reader.get(UInt64.self))
                for _ in 0..<keywordCount { _ = index.keywords.define(try reader.getString()) }
                index.uids = try reader.getColumn(UInt32.self, count: count, capacity: count + spare)
                index.flags = try reader.getColumn(UInt8.self, count: count, capacity: count + spare)
                index.keywordMasks = try reader.getColumn(UInt64.self, count: count, capacity: count + spare)
                index.modSeqs = try reader.getColumn(UInt64.self, count: count, capacity: count + spare)
                index.internalDates = try reader.getColumn(Int64.self, count: count, capacity: count + spare)
                index.zones = try reader.getColumn(Int16.self, count: count, capacity: count + spare)
                index.sizes = try reader.getColumn(UInt32.self, count: count, capacity: count + spare)
                index.sentDays = try reader.getColumn(Int32.self, count: count, capacity: count + spare)
                if version >= 2 {
                    index.bodyPacks = try reader.getColumn(UInt64.self, count: count, capacity: count + spare)
                    index.bodyOffsets = try reader.getColumn(UInt32.self, count: count, capacity: count + spare)
                } else {
                    index.bodyPacks = [UInt64](repeating: 0, count: count)
                    index.bodyOffsets = [UInt32](repeating: 0, count: count)
                    index.bodyPacks.reserveCapacity(count + spare)
                    index.bodyOffsets.reserveCapacity(count + spare)
                }
                var recent: [ExpungedRange] = []
                recent.reserveCapacity(min(expungedCount, reader.remaining / 16)) // a corrupt count fails, not traps
                for _ in 0..<expungedCount {
                    recent.append(ExpungedRange(low: try reader.get(), high: try reader.get(), modSeq: try reader.get()))
                }
                var coalesced: [CoalescedRange] = []
                if version >= 3 {
                    let coalescedCount = Int(try reader.get(UInt64.self))
                    coalesced.reserveCapacity(min(coalescedCount, reader.remaining / 24))
                    for _ in 0..<coalescedCount {
                        coalesced.append(CoalescedRange(
                            low: try reader.get(), high: try reader.get(), latest: try reader.get(), earliest: try reader.get()))
                    }
                }
                index.expungeHistory = ExpungeHistory(recent: recent, coalesced: coalesced)
                index.recount()
                return (index, generation)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.corrupt(path: path, reason: "snapshot truncated")
            }
        }
    }
}
