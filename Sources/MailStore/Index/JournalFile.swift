#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The append-only journal of one mailbox (`<mailbox>/journal`).
///
///     header: [magic "MSJ1": u32][version: u32][generation: u64][uidvalidity: u32][crc32c: u32]
///     then records (see `JournalRecord`)
///
/// The generation ties the journal to the snapshot it continues: a journal whose
/// generation is older than the snapshot's was already folded into it.
struct JournalFile {
    static let magic: UInt32 = 0x314A_534D // "MSJ1"
    static let headerSize = 24
    /// 2 added `bodyAt` records (and bodies kept in packs); 1 is still read.
    static let version: UInt32 = 2

    struct Header: Equatable {
        var generation: UInt64
        var uidValidity: UInt32
    }

    static func encodeHeader(_ header: Header) -> [UInt8] {
        var writer = ByteWriter(capacity: headerSize)
        writer.put(magic)
        writer.put(version)
        writer.put(header.generation)
        writer.put(header.uidValidity)
        writer.put(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// What recovery found in a journal file.
    struct Contents {
        var header: Header
        /// Each intact record with the offset just past it.
        var records: [(JournalRecord, end: Int)]
        /// Bytes of the header plus every intact record; anything after is torn.
        var validLength: Int
        var totalLength: Int
    }

    /// Reads the header and every intact record, stopping at the first torn or
    /// corrupt one.
    static func read(path: String, io: some FileIO) throws -> Contents {
        let bytes = try io.readFile(path)
        return try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            guard let magic = try? reader.get(UInt32.self), magic == Self.magic,
                  let version = try? reader.get(UInt32.self), version == 1 || version == Self.version,
                  let generation = try? reader.get(UInt64.self),
                  let uidValidity = try? reader.get(UInt32.self),
                  let crc = try? reader.get(UInt32.self),
                  crc == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<20]))
            else { throw StoreError.corrupt(path: path, reason: "bad journal header") }
            var records: [(JournalRecord, end: Int)] = []
            while reader.remaining > 0, let record = JournalRecord.decode(&reader) {
                records.append((record, reader.offset))
            }
            return Contents(
                header: Header(generation: generation, uidValidity: uidValidity),
                records: records, validLength: reader.offset, totalLength: bytes.count)
        }
    }

    /// Creates a journal holding only its header, atomically (temp + rename).
    static func create(path: String, header: Header, io: some FileIO) async throws {
        try await io.writeFileAtomically(path, encodeHeader(header))
    }
}
