import IMAPCodec
import MailStore

/// The messages of one FETCH that a `FetchRowWriter` answers, written in batches:
/// a batch borrows the view's index (`MailboxView.withRows`) and writes responses
/// until the output is due to be sent or a message must be read from its file
/// (the header cache has no entry for it), then says which; the session does that
/// and calls again, and the batch carries on with the next UID.
struct FetchRowBatch {
    /// Why a batch ended.
    enum End: Equatable {
        /// Every message is written.
        case done
        /// The output reached the flush threshold.
        case outputFull
        /// The message at `row`, sequence number `position + 1`, needs its file.
        case needsFile(uid: UID, row: Int, position: Int)
    }

    private var writer: FetchRowWriter
    private var walk: UIDSetWalk
    /// The row after the last one written: the next UID's row when UIDs ascend.
    private var nextRow = 0
    private var sequences: AscendingUIDCursor
    private var headerEntries: HeaderCacheCursor?
    /// Reads the message files when the layout `needsStructure`.
    private let reader: MessageReader?
    /// The UIDs this fetch just set `\Seen` on (FLAGS shown, and reported).
    private let seenChanged: UIDSet
    private let flushThreshold: Int

    /// `knownUIDs`: the client's sequence numbers; `headerEntries`: the mailbox's
    /// header cache, needed when the writer's layout `needsHeaderEntry` (without
    /// it every message is read from its file); `reader`: the view's messages,
    /// needed when the layout `needsStructure` (without it, likewise).
    init(
        writer: FetchRowWriter, uids: UIDSet, knownUIDs: [UID], headerEntries: HeaderCacheCursor?,
        reader: MessageReader? = nil, seenChanged: UIDSet, flushThreshold: Int
    ) {
        self.reader = reader
        self.writer = writer
        walk = UIDSetWalk(uids)
        sequences = AscendingUIDCursor(knownUIDs)
        self.headerEntries = headerEntries
        self.seenChanged = seenChanged
        self.flushThreshold = flushThreshold
    }

    /// Writes the next batch of responses into `output`. `updates` learns of each
    /// `\Seen` change it reports and says which messages are recent. `view` must
    /// be the one every batch of this FETCH reads.
    mutating func writeNext(
        of view: MailboxView, updates: inout UntaggedUpdateTracker, into output: inout ResponseBuffer
    ) -> End {
        // Borrowed once per batch, so no message retains it.
        let layout = writer.layout
        let checksSeen = !seenChanged.isEmpty
        let checksRecent = layout.reportsRecent && !updates.recentUIDs.isEmpty
        return view.withRows { index in
            sequences.withLookup { sequences in
                while let uid = walk.next() {
                    // A message expunged by another session but still numbered for
                    // this client is skipped (RFC 9051 7.5.1 lets the server omit it).
                    guard let row = index.row(of: uid, from: nextRow), let position = sequences.position(of: uid) else { continue }
                    nextRow = row + 1
                    let changed = checksSeen && seenChanged.contains(uid)
                    let recent = checksRecent && updates.recentUIDs.contains(uid)
                    let number = UInt32(position + 1)
                    // A message whose file cannot be read here (moved, gone, damaged,
                    // another structure format) goes the way of any other FETCH, which
                    // also says why.
                    var file: MessageFile?
                    if layout.needsStructure {
                        guard case let .success(opened)? = reader?.message(atRow: row) else {
                            return .needsFile(uid: uid, row: row, position: position)
                        }
                        file = opened
                    }
                    var written = false
                    if layout.needsHeaderEntry {
                        _ = headerEntries?.visitEntry(uid: uid) { entry in
                            written = Self.write(&writer, number, row, index, entry, file, changed, recent, layout, &output)
                        }
                    } else {
                        written = Self.write(&writer, number, row, index, nil, file, changed, recent, layout, &output)
                    }
                    guard written else { return .needsFile(uid: uid, row: row, position: position) }
                    if changed { updates.noteReported(uid: uid, modSeq: index.modSeq(row)) }
                    if output.bytes.count >= flushThreshold { return .outputFull }
                }
                return .done
            }
        }
    }

    /// One response, with the file's structure bytes when there is a file.
    private static func write(
        _ writer: inout FetchRowWriter, _ number: UInt32, _ row: Int, _ index: borrowing MailboxRows,
        _ entry: UnsafeRawBufferPointer?, _ file: MessageFile?, _ changed: Bool, _ recent: Bool,
        _ layout: borrowing FetchRowWriter.Layout, _ output: inout ResponseBuffer
    ) -> Bool {
        guard let file else {
            return writer.write(number: number, row: row, of: index, headerEntry: entry,
                                seenChanged: changed, recent: recent, layout: layout, into: &output)
        }
        return file.withStructure { structure in
            writer.write(number: number, row: row, of: index, headerEntry: entry, structure: structure,
                         seenChanged: changed, recent: recent, layout: layout, into: &output)
        }
    }
}
