import Glibc
@testable import MailStore

/// A fresh directory under /tmp, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/mailstore-test-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(cString: template)
    }

    deinit { try? PosixFileIO().removeTree(path) }
}

/// A small RFC 5322 message with CRLF line endings.
func makeMessage(
    from: String = "Alice <alice@example.com>", to: String = "Bob <bob@example.com>",
    subject: String = "Hello", date: String = "Tue, 1 Jul 2003 10:52:37 +0200", body: String = "Hi Bob.",
    extraHeaders: [String] = []
) -> [UInt8] {
    let header = (["From: \(from)", "To: \(to)", "Subject: \(subject)", "Date: \(date)"] + extraHeaders)
        .joined(separator: "\r\n")
    return Array((header + "\r\n\r\n" + body + "\r\n").utf8)
}

func openStore(_ directory: TemporaryDirectory, options: StoreOptions = StoreOptions()) throws -> MailStore {
    try MailStore(root: directory.path + "/data", options: options)
}

/// Everything persistent about a mailbox, for comparing before and after reopening.
struct MailboxFingerprint: Equatable, CustomStringConvertible {
    var status: MailboxStatus
    var messages: [MailboxView.Message]
    var expunged: [String]

    init(_ view: MailboxView) {
        status = view.status
        messages = (0..<view.count).map { view.message(atSequence: $0 + 1) }
        expunged = view.expungeHistory.map { "\($0.uids)@\($0.modSeq)" }
    }

    var description: String { "\(status) \(messages.count) messages, expunged \(expunged)" }
}

func fileLinkCount(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return Int(info.st_nlink)
}
