import Glibc
import IMAPCodec
import MailStore
@testable import IMAPServer

/// A mail store in a fresh /tmp directory, removed when released.
final class ScratchStore: Sendable {
    let path: String
    let store: MailStore

    init(options: StoreOptions = StoreOptions(durability: .relaxed)) throws {
        var template = Array("/tmp/mailshard-messages-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(cString: template)
        store = try MailStore(root: path + "/data", options: options)
    }

    func inbox() async throws -> Mailbox {
        try await store.user("alice").mailbox(named: "INBOX")
    }

    deinit { try? PosixFileIO().removeTree(path) }
}

/// Lines joined with CRLF, plus the final CRLF: the bytes of a message.
func crlf(_ lines: [String]) -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

/// A plain one-part message.
let plainMessage = crlf([
    "From: Alice <alice@example.com>",
    "To: Bob <bob@example.com>",
    "Subject: Hello",
    "Date: Tue, 1 Jul 2003 10:52:37 +0200",
    "",
    "Hi Bob.",
])

/// A multipart message: a text part and a base64 attachment holding "Hello\0World".
let multipartMessage = crlf([
    "From: Alice <alice@example.com>",
    "To: Bob <bob@example.com>",
    "Subject: Report",
    "Date: Wed, 2 Jul 2003 09:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=\"b1\"",
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Gr\u{00FC}\u{00DF}e",
    "--b1",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    "SGVsbG8AV29ybGQ=",
    "--b1",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: x-unknown",
    "",
    "odd",
    "--b1--",
])

/// The wire form of an untagged response, with external ranges filled in from
/// the message files (as the session's writer would send them).
func wire(_ response: UntaggedResponse, files: [UID: MessageFile] = [:]) -> String {
    var buffer = ResponseBuffer()
    ResponseEncoder().encode(.untagged(response), into: &buffer)
    var bytes: [UInt8] = []
    buffer.forEachSegment { segment in
        switch segment {
        case let .bytes(slice): bytes += slice
        case let .external(external):
            let file = files[UID(external.source)]!
            bytes += file.bytes(in: external.offset..<(external.offset + external.count))
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
