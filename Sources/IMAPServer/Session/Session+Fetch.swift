#if canImport(Glibc)
import Glibc
#endif
import IMAPCodec
import MailStore
import ShardRuntime

/// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9; RFC 3516 BINARY).
extension Session {
    /// Output buffered before it is written, for responses without file ranges.
    private static let fetchFlushThreshold = 256 * 1024

    func handleFetch(tag: String, _ command: FetchCommand) async throws {
        guard var selection = selected else { preconditionFailure("FETCH without a selection") }
        var uids = try selection.resolve(command.set, byUID: command.byUID)
        let (changedSince, vanished) = try modifiers(of: command)
        let attributes = answeredAttributes(command.attributes, changedSince: changedSince)
        // VANISHED (EARLIER) comes before any FETCH response (RFC 7162 3.2.6).
        if vanished, let changedSince { sendVanishedEarlier(command.set, since: changedSince, selection: selection) }
        if let changedSince, !uids.isEmpty {
            // Only messages whose MODSEQ is above it (RFC 7162 3.1.4.1).
            let wanted = uids
            uids = selection.mailbox.view().withRows { rows in
                // A plain loop: the borrowed rows may not be captured by a closure.
                var changed: [ClosedRange<UID>] = []
                var hint = 0
                for uid in wanted {
                    guard let row = rows.row(of: uid, from: hint) else { continue }
                    hint = row + 1
                    if rows.modSeq(row) > changedSince { changed.append(uid...uid) }
                }
                return UIDSet(changed)
            }
        }
        // Implicit \Seen first, so the responses show the flags as they now are.
        var seenChanged = UIDSet()
        if FetchResponder.setsSeen(attributes), !selection.isReadOnly, !uids.isEmpty {
            let before = selection.mailbox.view()
            let unseen = UIDSet(uids: uids.lazy.filter { before.message(uid: $0).map { !$0.flags.system.contains(.seen) } ?? false })
            if !unseen.isEmpty {
                seenChanged = try await selection.mailbox.store(.add(MessageFlags(.seen)), uids: unseen).changed
            }
        }
        let view = selection.mailbox.view()
        let responder = FetchResponder(reportsRecent: !machine.isRev2Enabled)
        let plan = FetchPlan(attributes, encoder: encoder)
        let needsFile = FetchResponder.needsMessageFile(attributes)
        let reader = needsFile ? selection.mailbox.messageReader(for: view) : nil
        reader?.readsWholeBodiesOnly = plan.needsWholeBodiesOnly
        let files = FileFetch(
            responder: responder, plan: plan, reader: reader,
            needsFile: needsFile, byUID: command.byUID, seenChanged: seenChanged)
        // Items the index, the header cache and the files' rendered ENVELOPE /
        // BODYSTRUCTURE answer are written row by row (FetchRowWriter); anything
        // else, and a message the cache or its file cannot answer so, gets its
        // items built from the message file.
        if let writer = FetchRowWriter(plan: plan, byUID: command.byUID, reportsRecent: responder.reportsRecent,
                                       encoder: encoder, keywordNames: view.keywords) {
            let headerEntries = writer.layout.needsHeaderEntry
                ? selection.mailbox.headerCache(for: view, wanted: uids.count)?.cursor() : nil
            var batch = FetchRowBatch(
                writer: writer, uids: uids, knownUIDs: selection.updates.knownUIDs,
                headerEntries: headerEntries, reader: files.reader, seenChanged: seenChanged,
                flushThreshold: Self.fetchFlushThreshold)
            batches: while true {
                switch batch.writeNext(of: view, updates: &selection.updates, into: &output) {
                case .done: break batches
                case .outputFull: try await flush()
                case let .needsFile(uid, row, position):
                    // Neither the cache nor the batch's read of its file answered it
                    // (no entry, moved, another structure format, damaged): as any FETCH.
                    var noEntries: HeaderCacheCursor?
                    try await fetchMessage(uid: uid, row: row, position: position, view: view, files, &selection,
                                            headerEntries: &noEntries)
                }
            }
        } else {
            // A plan of index items and cached header fields the row writer does
            // not take (a partial section) still reads the cache, not the files.
            var headerEntries = plan.isAnsweredByHeaderCache
                ? selection.mailbox.headerCache(for: view, wanted: uids.count)?.cursor() : nil
            // UIDs ascend, so rows and sequence numbers are found by stepping forward.
            var rows = AscendingUIDCursor(view.uids)
            var sequences = AscendingUIDCursor(selection.updates.knownUIDs)
            for uid in uids {
                // A message expunged by another session but still numbered for this
                // client is skipped (RFC 9051 7.5.1 lets the server omit it).
                guard let row = rows.position(of: uid), let position = sequences.position(of: uid) else { continue }
                try await fetchMessage(uid: uid, row: row, position: position, view: view, files, &selection,
                                        headerEntries: &headerEntries)
            }
        }
        selected = selection
        complete(tag, command.byUID ? "UID FETCH completed" : "FETCH completed")
    }

    /// The CHANGEDSINCE modifier's value, if given, and whether VANISHED was, which
    /// only UID FETCH with CHANGEDSINCE takes, after ENABLE QRESYNC (RFC 7162
    /// 3.2.6); BAD for anything else.
    private func modifiers(of command: FetchCommand) throws(MessageCommandError) -> (ModSeq?, vanished: Bool) {
        var changedSince: ModSeq?
        var vanished = false
        for modifier in command.modifiers {
            switch modifier {
            case let .changedSince(value):
                guard changedSince == nil else { throw .invalidArguments("CHANGEDSINCE given twice") }
                changedSince = value
            case .vanished:
                guard command.byUID else { throw .invalidArguments("VANISHED is for UID FETCH only") }
                guard machine.isQResyncEnabled else { throw .invalidArguments("VANISHED needs ENABLE QRESYNC") }
                guard !vanished else { throw .invalidArguments("VANISHED given twice") }
                vanished = true
            case .other: throw .unsupported("Unsupported FETCH modifier")
            }
        }
        if vanished, changedSince == nil { throw .invalidArguments("VANISHED needs CHANGEDSINCE") }
        return (changedSince, vanished)
    }

    /// The items a FETCH answers: the client's, with what CONDSTORE adds once it is
    /// enabled; and a FETCH that asks MODSEQ or CHANGEDSINCE is a CONDSTORE enabling
    /// command. Both FETCH paths (the command task's and the inline one) go through here.
    func answeredAttributes(_ attributes: [FetchAttribute], changedSince: ModSeq?) -> [FetchAttribute] {
        if changedSince != nil || attributes.contains(.modificationSequence) { condStoreUsed() }
        return machine.isCondStoreEnabled ? condStoreAttributes(attributes, changedSince: changedSince) : attributes
    }

    /// The items a CONDSTORE client gets: MODSEQ with CHANGEDSINCE (RFC 7162
    /// 3.1.4.1) and with FLAGS, and UID and MODSEQ when the fetch sets `\Seen`
    /// (3.2.4), so every FETCH that reports flags says at which MODSEQ. Items the
    /// client asked for keep their places; the added ones follow.
    private func condStoreAttributes(_ attributes: [FetchAttribute], changedSince: ModSeq?) -> [FetchAttribute] {
        let setsSeen = FetchResponder.setsSeen(attributes) && selected?.isReadOnly == false
        var result = attributes
        if setsSeen, !result.contains(.uid) { result.append(.uid) }
        if changedSince != nil || setsSeen || result.contains(.flags), !result.contains(.modificationSequence) {
            result.append(.modificationSequence)
        }
        return result
    }

    /// What a FETCH needs to build one message's items from its file.
    struct FileFetch {
        let responder: FetchResponder
        let plan: FetchPlan
        let reader: MessageReader?
        let needsFile: Bool
        let byUID: Bool
        /// The UIDs this fetch just set `\Seen` on.
        let seenChanged: UIDSet
    }

    /// Builds and sends the items of the message at `row` of `view` (sequence
    /// number `position + 1`) from its file, from its header cache entry when the
    /// plan `isAnsweredByHeaderCache` and `headerEntries` has it, or from the
    /// index alone when the items need neither.
    private func fetchMessage(
        uid: UID, row: Int, position: Int, view: MailboxView, _ fetch: FileFetch, _ selection: inout SelectedMailbox,
        headerEntries: inout HeaderCacheCursor?
    ) async throws {
        let file = try encodeMessage(uid: uid, row: row, position: position, view: view, fetch, &selection,
                                     headerEntries: &headerEntries)
        if !output.splices.isEmpty {
            try await writeOutputWithBodies(from: file)
        } else if output.bytes.count >= Self.fetchFlushThreshold {
            try await flush()
        }
    }

    /// Encodes the `* n FETCH (…)` response of one message into `output` (see
    /// ``fetchMessage(uid:row:position:view:_:_:headerEntries:)``); returns the message
    /// file its body ranges refer to, if it read one. Sends nothing for a message
    /// expunged since the view was taken.
    func encodeMessage(
        uid: UID, row: Int, position: Int, view: MailboxView, _ fetch: FileFetch, _ selection: inout SelectedMailbox,
        headerEntries: inout HeaderCacheCursor?
    ) throws -> MessageFile? {
        let message = view.message(atSequence: row + 1)
        let changed = fetch.seenChanged.contains(uid)
        let recent = selection.updates.recentUIDs.contains(uid)
        if let items = try headerEntries?.withEntry(uid: uid, { entry in
            try fetch.responder.items(for: fetch.plan, message: message, file: nil, headerEntry: entry, byUID: fetch.byUID,
                                      seenChanged: changed, recent: recent)
        }) {
            send(.untagged(.fetch(UInt32(position + 1), items)))
            if changed { selection.updates.noteReported(uid: uid, modSeq: message.modSeq) }
            return nil
        }
        var file: MessageFile?
        if fetch.needsFile {
            do {
                // Read as the view locates it; if its body moved or went since,
                // as the mailbox locates it now.
                file = try fetch.reader?.message(atRow: row)?.get() ?? selection.mailbox.openMessage(uid: uid)
            } catch StoreError.messageNotFound {
                return nil  // expunged since the view was taken: omitted (RFC 9051 7.5.1)
            }
            // Any other failure (an unreadable or corrupt body) fails the command
            // with the store's error rather than answering NIL or empty data.
        }
        let items = try fetch.responder.items(
            for: fetch.plan, message: message, file: file, byUID: fetch.byUID, seenChanged: changed, recent: recent)
        send(.untagged(.fetch(UInt32(position + 1), items)))
        if changed { selection.updates.noteReported(uid: uid, modSeq: message.modSeq) }
        return file
    }

    /// Writes pending output whose FETCH items refer to message bytes by range
    /// (`ExternalBytes`, relative to the body): the bytes between go as they are,
    /// each range as a `FileRange` of the file that holds the body (its own file or
    /// a pack, at `bodyOffset`), so the kernel moves it from the page cache to the
    /// socket, from the descriptor the `MessageFile` holds (valid even if the path
    /// was unlinked meanwhile). A body read into memory (no descriptor) is copied.
    /// The bytes after the last range stay in `output` for the next write.
    func writeOutputWithBodies(from file: MessageFile?) async throws {
        // The output is taken by swapping, not copied: a copy shares its storage, and
        // clearing the original then allocated a new buffer of the same capacity (two
        // arrays), and the segments gathered into an array cost more. Here the runs
        // are walked in place, and the buffer goes back, cleared, with its capacity.
        var buffer = ResponseBuffer(capacity: 0)
        swap(&buffer, &output)
        var pending: [UInt8] = []
        var start = 0
        for splice in buffer.splices {
            if splice.offset > start { pending += buffer.bytes[start..<splice.offset] }
            start = splice.offset
            let range = splice.external
            guard let file else { preconditionFailure("a FETCH body range without its message file") }
            if file.bodyDescriptor >= 0 {
                // The message file keeps its descriptor open while the range is queued;
                // the head goes with it (one segment where the runtime can). More
                // always follows (this response's close, then the next response or
                // the tagged completion), so the runtime holds the two until it
                // is queued and sends head, body and tail in one burst.
                let offset = UInt64(file.bodyOffset + range.offset)
                try await connection.write(
                    pending, then: FileRange(descriptor: file.bodyDescriptor, offset: offset, count: range.count, owner: file),
                    tailFollows: true)
                // The queue owns those bytes now: a fresh array, not a cleared copy of theirs.
                pending = []
            } else {
                pending += file.bytes(in: range.offset..<(range.offset + range.count))
            }
        }
        keepRest(of: &buffer, from: start, after: pending)
    }

    /// ``writeOutputWithBodies(from:)`` in one synchronous step: every range is queued
    /// at once. Only right after `connection.hasRoomWithoutWaiting(for:)` said yes to
    /// the output's bytes and ranges (``outputByteCountWithBodies``), with nothing in
    /// between; the connection's failure is thrown as the waiting write would throw it.
    func queueOutputWithBodies(from file: MessageFile?) throws {
        var buffer = ResponseBuffer(capacity: 0)
        swap(&buffer, &output)
        var pending: [UInt8] = []
        var start = 0
        for splice in buffer.splices {
            if splice.offset > start { pending += buffer.bytes[start..<splice.offset] }
            start = splice.offset
            let range = splice.external
            guard let file else { preconditionFailure("a FETCH body range without its message file") }
            if file.bodyDescriptor >= 0 {
                let offset = UInt64(file.bodyOffset + range.offset)
                let queued = try connection.writeWithoutWaiting(
                    pending, then: FileRange(descriptor: file.bodyDescriptor, offset: offset, count: range.count, owner: file),
                    tailFollows: true)
                precondition(queued, "a FETCH queued without waiting after its room was checked")
                pending = []
            } else {
                pending += file.bytes(in: range.offset..<(range.offset + range.count))
            }
        }
        keepRest(of: &buffer, from: start, after: pending)
    }

    /// Pending bytes and body ranges of `output`: what ``queueOutputWithBodies(from:)``
    /// queues.
    var outputByteCountWithBodies: Int {
        output.splices.reduce(output.bytes.count) { $0 + $1.external.count }
    }

    /// Puts the bytes after the last body range back into `output`, behind `pending`.
    /// The rest (the response's close) joins what follows it: the next response or
    /// the tagged completion, in one send. It is never empty, so a body held for its
    /// tail (`tailFollows`) is always followed.
    private func keepRest(of buffer: inout ResponseBuffer, from start: Int, after pending: [UInt8]) {
        assert(!pending.isEmpty || buffer.bytes.count > start, "a FETCH response closes after its last body")
        if output.bytes.isEmpty && output.splices.isEmpty {
            // Nothing was written meanwhile: the buffer goes back with its capacity.
            buffer.keepBytes(from: start, after: pending)
            swap(&buffer, &output)
        } else {
            output.writeBytes(pending)
            output.writeBytes(buffer.bytes[start...])
        }
    }
}
