/// Builds RFC 5322 messages of an exact byte size, so a fetched body can be checked
/// against the size it was appended with.
public enum MessageFactory {
    /// The smallest size every header (any serial, user names up to 32 bytes) fits in.
    public static let minimumSize = 320

    /// A message of exactly `size` bytes (≥ ``minimumSize``), CRLF lines of at most
    /// 78 characters, unique by `serial`.
    public static func message(size: Int, serial: Int, user: String = "load") -> [UInt8] {
        var bytes = Array("""
            From: imap-load <\(user)@load.invalid>\r
            To: \(user)@load.invalid\r
            Subject: load message \(serial)\r
            Date: Fri, 27 Nov 2026 05:00:00 +0000\r
            Message-ID: <\(serial).\(user)@load.invalid>\r
            Content-Type: text/plain; charset=us-ascii\r
            \r

            """.utf8)
        pad(&bytes, to: size, with: Array("The quick brown fox jumps over the lazy dog while the load generator runs.".utf8))
        return bytes
    }

    /// Fills `bytes` up to `size` with CRLF-ended copies of `line` (cut to fit), the
    /// last one or two bytes dots when a line ending no longer fits.
    static func pad(_ bytes: inout [UInt8], to size: Int, with line: [UInt8]) {
        bytes.reserveCapacity(max(size, bytes.count))
        while bytes.count < size {
            let remaining = size - bytes.count
            if remaining <= 2 {
                bytes.append(contentsOf: repeatElement(UInt8(ascii: "."), count: remaining))
                break
            }
            let take = min(line.count, remaining - 2)
            bytes.append(contentsOf: line[0..<take])
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
    }
}
