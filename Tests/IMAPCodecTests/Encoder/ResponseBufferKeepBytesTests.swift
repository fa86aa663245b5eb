import Testing
@testable import IMAPCodec

/// `ResponseBuffer.keepBytes(from:after:)`: what a FETCH leaves in its output once the
/// runs up to a body and the body have been written (Session+Fetch).
@Suite struct ResponseBufferKeepBytesTests {
    struct Case: Sendable, CustomStringConvertible {
        let prefix: String
        let expected: String
        /// Where the kept bytes start: after the last splice (nil) or at this offset.
        let offset: Int?
        var description: String { "prefix \(prefix.debugDescription) offset \(offset.map(String.init) ?? "last splice")" }
    }

    static let cases: [Case] = [
        // The usual FETCH: the head went with the body, the close and the tagged OK stay.
        Case(prefix: "", expected: " FLAGS (\\Seen))\r\na1 OK FETCH completed\r\n", offset: nil),
        // A body copied in (no descriptor): its bytes come back before the rest.
        Case(prefix: "BODYBYTES", expected: "BODYBYTES FLAGS (\\Seen))\r\na1 OK FETCH completed\r\n", offset: nil),
        // Nothing kept from the buffer, everything from the prefix.
        Case(prefix: "all of it", expected: "all of it", offset: -1),
        // Kept from the very start: nothing dropped but the splices.
        Case(prefix: "", expected: "* 3 FETCH (UID 9 BODY[] {1000000}\r\n FLAGS (\\Seen))\r\na1 OK FETCH completed\r\n", offset: 0),
    ]

    @Test(arguments: cases)
    func keepsTheBytesFromTheOffsetAfterThePrefix(_ testCase: Case) {
        var buffer = ResponseBuffer()
        let body = ExternalBytes(source: 7, offset: 4096, count: 1_000_000)
        ResponseEncoder().encode(.untagged(.fetch(3, [.uid(9), .bodySection(.whole, origin: nil, .external(body)), .flags([.seen])])), into: &buffer)
        ResponseEncoder().encode(.tagged(tag: "a1", StatusResponse(.ok, "FETCH completed")), into: &buffer)
        let capacity = buffer.bytes.capacity
        let offset = switch testCase.offset {
        case nil: buffer.splices.last!.offset
        case -1: buffer.bytes.count
        case let offset?: offset
        }
        buffer.keepBytes(from: offset, after: Array(testCase.prefix.utf8))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == testCase.expected)
        #expect(buffer.splices.isEmpty)
        #expect(buffer.wireByteCount == testCase.expected.utf8.count)
        #expect(buffer.bytes.capacity >= capacity, "the storage is kept, not given back")
    }
}
