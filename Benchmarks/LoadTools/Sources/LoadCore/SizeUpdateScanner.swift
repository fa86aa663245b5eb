/// The fast lane for what an idler hears on each delivery: lines whose whole grammar is
/// `"*" SP number SP ("EXISTS" / "RECENT") CRLF` (RFC 9051 §7.4: mailbox-data; RECENT
/// from IMAP4rev1 servers), read straight from the received bytes.
///
/// It accepts a received chunk only if the chunk is nothing but such lines, each whole
/// and exactly in that form (upper case, no leading or trailing space, a number that
/// fits 32 bits); anything else — another response, other spelling, a line split across
/// reads — is left to the full framer and parser, so validation is as complete as it
/// was, and only the common case skips building `Response` values.
enum SizeUpdateScanner {
    enum Line: Equatable {
        case exists(UInt32)
        case recent(UInt32)
    }

    /// Applies every line of `bytes` to `view` when all of them are size updates;
    /// returns false, with `view` untouched, when any is not (the caller then takes the
    /// full path). Throws what ``MailboxView`` throws for an inconsistent EXISTS; the
    /// view is then untouched too.
    static func apply(_ bytes: UnsafeRawBufferPointer, to view: inout MailboxView) throws(LoadError) -> Bool {
        var updated = view
        var index = 0
        while index < bytes.count {
            guard let (line, next) = scanLine(bytes, from: index) else { return false }
            if case .exists(let count) = line { try updated.noteExists(count) }
            index = next
        }
        view = updated
        return true
    }

    /// Every line of `bytes` when all are size updates, nil otherwise (tests).
    static func lines(in bytes: [UInt8]) -> [Line]? {
        bytes.withUnsafeBytes { buffer -> [Line]? in
            var lines: [Line] = []
            var index = 0
            while index < buffer.count {
                guard let (line, next) = scanLine(buffer, from: index) else { return nil }
                lines.append(line)
                index = next
            }
            return lines
        }
    }

    private static let exists = Array("EXISTS\r\n".utf8)
    private static let recent = Array("RECENT\r\n".utf8)

    /// One line starting at `start`, and the index after its LF.
    private static func scanLine(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (Line, Int)? {
        var index = start
        guard bytes.count - index >= 4 + exists.count, bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: " ")
        else { return nil }
        index += 2
        var value: UInt64 = 0
        let digitsStart = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
            guard value <= UInt64(UInt32.max) else { return nil }
            index += 1
        }
        guard index > digitsStart, index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
        index += 1
        guard bytes.count - index >= exists.count else { return nil }
        let number = UInt32(value)
        if matches(exists, bytes, at: index) { return (.exists(number), index + exists.count) }
        if matches(recent, bytes, at: index) { return (.recent(number), index + recent.count) }
        return nil
    }

    private static func matches(_ word: [UInt8], _ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        for offset in word.indices where bytes[index + offset] != word[offset] { return false }
        return true
    }
}
