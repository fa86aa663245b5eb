import Testing
@testable import IMAPCodec

/// `ReservedBytes` writes what the encoder has always written: numbers as plain
/// decimal digits, date-times and literal headers in their fixed forms, and only
/// what it was asked to, however many writes share one reservation.
@Suite struct ReservedBytesTests {
    static let numbers: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 999, 1_000, 4_294_967_295, 4_294_967_296,
                                    999_999_999_999, 1_000_000_000_000, 9_999_999_999_999_999_999, UInt64.max - 1, UInt64.max]

    @Test(arguments: Self.numbers)
    func numbersAreDecimal(_ value: UInt64) {
        var buffer = ResponseBuffer()
        buffer.writeBytes([0x41])
        buffer.writeReserved(upTo: ReservedBytes.maximumNumberLength) { $0.writeNumber(value) }
        buffer.writeNumber(value)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "A\(value)\(value)")
    }

    @Test func everyPowerOfTenAndItsNeighbours() {
        var power: UInt64 = 1
        for _ in 0..<19 {
            for value in [power - 1, power, power + 1] {
                var buffer = ResponseBuffer()
                buffer.writeNumber(value)
                #expect(String(decoding: buffer.bytes, as: UTF8.self) == String(value))
            }
            power *= 10
        }
    }

    @Test func manyWritesInOneReservationAndTheBufferGrowsAsNeeded() {
        var buffer = ResponseBuffer(capacity: 1)
        var expected = ""
        for round in 0..<500 {
            buffer.writeReserved(upTo: 200) { out in
                out.write("* ")
                out.writeNumber(UInt64(round))
                out.write(" FETCH (")
                Array("UID ".utf8).withUnsafeBytes { out.write($0) }
                out.writeNumber(UInt64(round) * 7)
                out.write(0x20)
                out.writeLiteralHeader(count: round)
                out.write(Array(repeating: UInt8(ascii: "x"), count: min(round, 100)))
                out.write(")\r\n")
                #expect(out.remaining >= 0)
            }
            expected += "* \(round) FETCH (UID \(round * 7) {\(round)}\r\n" + String(repeating: "x", count: min(round, 100)) + ")\r\n"
        }
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test func dateTimesAsTheEncoderWritesThem() {
        let dateTime = IMAPDateTime(date: IMAPDate(year: 2003, month: 1, day: 5), hour: 7, minute: 8, second: 9, zoneMinutes: 330)
        var buffer = ResponseBuffer()
        buffer.writeReserved(upTo: ReservedBytes.dateTimeLength) { $0.writeDateTime(dateTime) }
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "\"05-Jan-2003 07:08:09 +0530\"")
        #expect(buffer.bytes.count == ReservedBytes.dateTimeLength)
    }

    @Test func anEmptyReservationWritesNothing() {
        var buffer = ResponseBuffer()
        buffer.writeReserved(upTo: 0) { #expect($0.remaining == 0) }
        #expect(buffer.bytes.isEmpty)
    }
}
