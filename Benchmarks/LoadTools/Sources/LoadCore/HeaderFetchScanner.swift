#if canImport(Glibc)
import Glibc
#endif

/// The fast lane's recognizer for the answer to a header FETCH: one whole response
/// (cut out by ``ResponseExtent``) read straight from the received bytes, in exactly
/// this form (RFC 9051 §7.5.2 message-data / msg-att, items in any order, each once):
///
///     "*" SP nz-number SP "FETCH" SP "(" item SP item SP item ")" CRLF
///     item   = "UID" SP nz-number
///            / "FLAGS" SP "(" [flag *(SP flag)] ")"
///            / "BODY[HEADER.FIELDS" SP "(" field *(SP field) ")]" SP "{" number "}" CRLF octets
///     flag   = ["\"] 1*(ALPHA / DIGIT / "$" / "-" / "_" / ".")
///     field  = 1*(ALPHA / DIGIT / "-")
///
/// with numbers in canonical form (no leading zero, 32 bits) and a literal of more than
/// two bytes (a header block ends in CRLF CRLF; two bytes or fewer is no header).
///
/// Everything it accepts the generic ``ResponseParser`` parses into a FETCH carrying
/// UID, FLAGS and a header-fields section of the same size, so the workload's checks
/// can be applied to the recognized values directly. Anything else — other items, an
/// origin, NIL or a quoted header, lower case, leading zeros, a bare LF — is not
/// judged here: the caller hands it to the generic reader, which accepts or rejects it
/// as it always did.
enum HeaderFetchScanner {
    /// A recognized answer: its message sequence number and header literal size.
    struct Answer: Equatable {
        var number: UInt32
        var headerBytes: Int
    }

    /// The answer in `bytes[start..<end]`, a whole response, or nil when it is anything
    /// but the form above.
    static func recognize(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Answer? {
        var cursor = Cursor(bytes: bytes, index: start, end: end)
        guard cursor.skip(star), let number = cursor.nonZeroNumber(), cursor.skip(fetchOpen) else { return nil }
        var sawUID = false
        var sawFlags = false
        var headerBytes: Int?
        while true {
            switch cursor.peek() {
            case UInt8(ascii: "U"):
                guard !sawUID, cursor.skip(uidName), cursor.nonZeroNumber() != nil else { return nil }
                sawUID = true
            case UInt8(ascii: "F"):
                guard !sawFlags, cursor.skip(flagsOpen), cursor.flagListRest() else { return nil }
                sawFlags = true
            case UInt8(ascii: "B"):
                guard headerBytes == nil, cursor.skip(headerFieldsOpen),
                    cursor.skip(workloadFields) || cursor.fieldListRest() && cursor.skip(literalOpen),
                    let size = cursor.literalBody()
                else { return nil }
                headerBytes = size
            default:
                return nil
            }
            if cursor.skip(UInt8(ascii: " ")) { continue }
            guard cursor.skip(closeLine), cursor.index == end else { return nil }
            break
        }
        guard sawUID, sawFlags, let headerBytes, headerBytes > 2 else { return nil }
        return Answer(number: number, headerBytes: headerBytes)
    }

    // StaticStrings: compared with memcmp straight from the binary, no lazy global.
    private static let star: StaticString = "* "
    private static let fetchOpen: StaticString = " FETCH ("
    private static let uidName: StaticString = "UID "
    private static let flagsOpen: StaticString = "FLAGS ("
    private static let headerFieldsOpen: StaticString = "BODY[HEADER.FIELDS ("
    private static let literalOpen: StaticString = ")] {"
    private static let closeLine: StaticString = ")\r\n"
    /// The field list `fetch-headers` asks for, as servers echo it: one compare in the
    /// common case instead of a byte-by-byte walk (any other list is walked).
    private static let workloadFields: StaticString = "FROM TO SUBJECT DATE MESSAGE-ID)] {"

    /// A read position that never passes `end`.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index: Int
        let end: Int

        func peek() -> UInt8? { index < end ? bytes[index] : nil }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < end, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skip(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard end - index >= count, let base = bytes.baseAddress, memcmp(base + index, word.utf8Start, count) == 0 else { return false }
            index += count
            return true
        }

        /// nz-number without a leading zero, within 32 bits.
        mutating func nonZeroNumber() -> UInt32? {
            guard let first = peek(), first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
            var value: UInt64 = 0
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + UInt64(byte &- 0x30)
                guard value <= UInt64(UInt32.max) else { return nil }
                index += 1
            }
            return UInt32(value)
        }

        /// `[flag *(SP flag)] ")"` after the opening parenthesis.
        mutating func flagListRest() -> Bool {
            if skip(UInt8(ascii: ")")) { return true }
            repeat {
                _ = skip(UInt8(ascii: "\\"))
                guard run(while: Self.isFlagByte) else { return false }
            } while skip(UInt8(ascii: " "))
            return skip(UInt8(ascii: ")"))
        }

        /// `field *(SP field)` after the opening parenthesis (the `)]` is the caller's).
        mutating func fieldListRest() -> Bool {
            repeat {
                guard run(while: Self.isFieldByte) else { return false }
            } while skip(UInt8(ascii: " "))
            return true
        }

        /// `number "}" CRLF` and that many bytes after `{`; returns the size.
        mutating func literalBody() -> Int? {
            // A size with a leading zero is left to the generic reader (it cannot be more than two).
            guard let first = peek(), first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
            var size = 0
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                size = size * 10 + Int(byte &- 0x30)
                guard size <= Int(UInt32.max) else { return nil }
                index += 1
            }
            guard skip(UInt8(ascii: "}")), skip(UInt8(ascii: "\r")), skip(UInt8(ascii: "\n")), end - index >= size else { return nil }
            index += size
            return size
        }

        /// Skips one or more bytes `accepts`; false when there is none.
        private mutating func run(while accepts: (UInt8) -> Bool) -> Bool {
            let start = index
            while let byte = peek(), accepts(byte) { index += 1 }
            return index > start
        }

        private static func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        private static func isFlagByte(_ byte: UInt8) -> Bool {
            isAlphanumeric(byte) || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }

        private static func isFieldByte(_ byte: UInt8) -> Bool {
            isAlphanumeric(byte) || byte == UInt8(ascii: "-")
        }
    }
}
