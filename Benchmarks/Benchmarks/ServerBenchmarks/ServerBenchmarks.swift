// IMAPServer benchmarks: encoding the FETCH responses clients sync a mailbox with
// (header fields and flags, flags alone, FAST, ENVELOPE) for a 10,000-message
// mailbox, as a session writes them from the index, the header cache and the
// message files' rendered items (FetchEncodingProbe:
// the session's own row writer, without a socket). One iteration is one FETCH of
// every message; divide by 10,000 for the cost per message.
//
// The mailbox lives under $MAILSTORE_BENCH_DIR (default /tmp).
import Benchmark
import Glibc
import IMAPCodec
@_spi(Benchmarks) import IMAPServer
import MailStore

let messageCount = 10_000

/// Message `serial` of the mailbox: a listing's usual fields, some encoded, some
/// missing, one folded, of varied lengths; about 1 KiB each, like the load tools' corpus.
func corpusMessage(_ serial: Int) -> [UInt8] {
    var lines = [
        "From: \(serial % 7 == 0 ? "=?utf-8?q?J=C3=B6rg_M=C3=BCller?=" : "Sender \(serial % 50)") <sender\(serial % 50)@example.com>",
        "To: Recipient <rcpt@example.org>",
        "Subject: topic-\((serial * 7) % 1000) report" + (serial % 5 == 0 ? "\r\n continued on a second line" : ""),
        "Date: Fri, 27 Nov 2026 04:\(serial % 60 < 10 ? "0" : "")\(serial % 60):00 +0000",
        "Message-ID: <\(serial).bench@example.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if serial % 3 == 0 { lines.remove(at: 4) }
    var text = lines.joined(separator: "\r\n") + "\r\n\r\n"
    let line = "The quick brown fox jumps over the lazy dog, again and again.\r\n"
    while text.utf8.count + line.utf8.count <= 1024 { text += line }
    return Array(text.utf8)
}

/// \Seen on two in three, \Flagged on one in ten, \Answered on one in seven, a
/// keyword on one in eleven.
func corpusFlags(_ serial: Int) -> MessageFlags {
    var flags = MessageFlags()
    if serial % 3 != 0 { flags.system.insert(.seen) }
    if serial % 10 == 0 { flags.system.insert(.flagged) }
    if serial % 7 == 0 { flags.system.insert(.answered) }
    if serial % 11 == 0 { flags.keywords.insert("$Work") }
    return flags
}

final class Corpus: @unchecked Sendable {
    let root: String
    let store: MailStore
    let inbox: Mailbox

    init() async throws {
        let base = getenv("MAILSTORE_BENCH_DIR").map { String(cString: $0) } ?? "/tmp"
        root = "\(base)/server-bench-\(getpid())"
        try? PosixFileIO().removeTree(root)
        store = try MailStore(root: root, options: StoreOptions(durability: .relaxed))
        inbox = try await store.user("bench").mailbox(named: "INBOX")
        for start in stride(from: 0, to: messageCount, by: 500) {
            let batch = (start..<min(messageCount, start + 500)).map {
                NewMessage(corpusMessage($0), flags: corpusFlags($0), internalDate: InternalDate(secondsSinceEpoch: 1_796_000_000 + Int64($0)))
            }
            _ = try await inbox.append(batch)
        }
    }

    func tearDown() async {
        await store.close()
        try? PosixFileIO().removeTree(root)
    }
}

func headerFields(_ names: [String]) -> FetchAttribute {
    .bodySection(SectionSpecifier(text: .headerFields(names)), partial: nil, peek: true)
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal], warmupIterations: 3,
        maxDuration: .seconds(5), maxIterations: 1_000)
    let shapes: [(String, [FetchAttribute])] = [
        ("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])",
         [.uid, .flags, headerFields(["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"])]),
        ("UID FETCH 1:* (UID FLAGS)", [.uid, .flags]),
        ("FETCH 1:* FAST", [.flags, .internalDate, .rfc822Size]),
        ("UID FETCH 1:* (UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE)", [.uid, .rfc822Size, .flags, .internalDate, .envelope]),
    ]
    for (name, attributes) in shapes {
        nonisolated(unsafe) var corpus: Corpus!
        nonisolated(unsafe) var probe: FetchEncodingProbe!
        Benchmark("Encode \(name), 10,000 messages (per FETCH)", configuration: configuration) { benchmark in
            var output = ResponseBuffer(capacity: 512 * 1024)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let (bytes, skipped) = probe.encodeAll(into: &output)
                precondition(skipped == 0, "every message is answered by the row writer")
                output.removeAll()
                blackHole(bytes)
            }
            benchmark.stopMeasurement()
        } setup: {
            corpus = try await Corpus()
            let view = corpus.inbox.view()
            probe = FetchEncodingProbe(attributes, byUID: name.hasPrefix("UID"), mailbox: corpus.inbox, view: view)
            precondition(probe != nil, "the row writer answers \(name)")
        } teardown: {
            await corpus.tearDown()
        }
    }
}
