import IMAPCodec
import MailStore

/// Encodes the responses of a FETCH of every message of a mailbox view exactly as
/// a session does when the index, the header cache and the files' rendered items
/// answer it (`FetchRowBatch` and `FetchRowWriter`), without a session or socket: what the
/// micro-benchmarks (Benchmarks/Benchmarks/ServerBenchmarks) time per message.
/// Not API (`@_spi(Benchmarks)`).
@_spi(Benchmarks)
public struct FetchEncodingProbe {
    private let writer: FetchRowWriter
    private let mailbox: Mailbox
    private let view: MailboxView
    private let uids: UIDSet
    private let headerCache: HeaderCacheSnapshot?

    /// Nil when the items need message files (the row writer does not answer them).
    /// `mailbox`'s header cache is built here for `view` when the items need it.
    public init?(_ attributes: [FetchAttribute], byUID: Bool, mailbox: Mailbox, view: MailboxView) {
        let encoder = ResponseEncoder(utf8Enabled: true)
        let plan = FetchPlan(attributes, encoder: encoder)
        guard let writer = FetchRowWriter(plan: plan, byUID: byUID, reportsRecent: false, encoder: encoder,
                                          keywordNames: view.keywords) else { return nil }
        self.writer = writer
        self.mailbox = mailbox
        self.view = view
        uids = UIDSet(uids: view.uids)
        headerCache = writer.layout.needsHeaderEntry ? mailbox.headerCache(for: view) : nil
    }

    /// Writes every message's response into `output`, emptying it each time a
    /// session would send it (`flushThreshold` bytes); returns the bytes encoded
    /// and the messages neither the cache nor the file's structure answered (a
    /// session builds their items from the file; the probe skips them).
    public func encodeAll(into output: inout ResponseBuffer, flushThreshold: Int = 256 * 1024) -> (bytes: Int, skipped: Int) {
        var batch = FetchRowBatch(
            writer: writer, uids: uids, knownUIDs: view.uids, headerEntries: headerCache?.cursor(),
            reader: writer.layout.needsStructure ? mailbox.messageReader(for: view) : nil,
            seenChanged: UIDSet(), flushThreshold: flushThreshold)
        var updates = UntaggedUpdateTracker(view: view)
        var bytes = 0, skipped = 0
        while true {
            switch batch.writeNext(of: view, updates: &updates, into: &output) {
            case .done:
                return (bytes + output.bytes.count, skipped)
            case .outputFull:
                bytes += output.bytes.count
                output.removeAll()
            case .needsFile:
                skipped += 1
            }
        }
    }
}
