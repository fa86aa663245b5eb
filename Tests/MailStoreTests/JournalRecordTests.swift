import Testing
@testable import MailStore

@Suite struct JournalRecordTests {
    static let records: [JournalRecord] = [
        .append(.init(uid: 7, modSeq: 12, flags: 5, keywordMask: 1 << 40, internalDate: -86_400, zoneMinutes: -330,
                      size: 4096, sentDay: 12_000)),
        .defineKeyword(bit: 3, name: "$Forwarded"),
        .flags(.init(modSeq: 99, mode: .replace, system: 31, keywordMask: .max, uids: UIDSet([1...3, 9...9]))),
        .expunge(modSeq: 100, uids: UIDSet([4...4, 6...8])),
        .raiseUIDNext(4711),
        .body(uid: 9, message: Array("Subject: x\r\n\r\nbody\r\n".utf8), structure: [1, 2, 3]),
    ]

    @Test(arguments: records)
    func roundTrips(record: JournalRecord) throws {
        var writer = ByteWriter()
        record.encode(into: &writer)
        try writer.bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(JournalRecord.decode(&reader) == record)
            #expect(reader.remaining == 0)
        }
    }

    @Test(arguments: records)
    func everyTruncationIsRejected(record: JournalRecord) {
        var writer = ByteWriter()
        record.encode(into: &writer)
        for length in 0..<writer.bytes.count {
            Array(writer.bytes.prefix(length)).withUnsafeBytes { buffer in
                var reader = ByteReader(buffer)
                #expect(JournalRecord.decode(&reader) == nil)
                #expect(reader.offset == 0)
            }
        }
    }

    @Test(arguments: records)
    func everyFlippedBitIsRejected(record: JournalRecord) {
        var writer = ByteWriter()
        record.encode(into: &writer)
        for position in 0..<writer.bytes.count {
            var bytes = writer.bytes
            bytes[position] ^= 0x10
            bytes.withUnsafeBytes { buffer in
                var reader = ByteReader(buffer)
                #expect(JournalRecord.decode(&reader) == nil)
            }
        }
    }

    @Test func crc32cKnownAnswer() {
        // RFC 3720 B.4 test vector: 32 bytes of zeros → 0x8A9136AA.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}
