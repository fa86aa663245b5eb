import IMAPCodec
import MailStore
import ShardRuntime

// Commands answered without suspending. A command normally runs in a task of its own
// (`handleBufferedCommands`), so the memory of its async frames goes when it ends and an
// idle connection keeps none of it; but that task, its executor preference, its frames'
// allocator slabs and a suspension at every async call cost about as much user time as
// the rest of a one-message body FETCH. A command that can be answered in one
// synchronous step (nothing to wait for: no durable write, and room in the
// connection's queue for the whole answer) is answered here instead, on the shard
// thread's stack, with no task and no async frame; anything else goes to the task as
// before, from the point this pass stopped.

/// Where the inline pass stopped: what the command task continues with.
enum BufferedWork {
    /// A framer event the pass does not take (a literal, a continuation, a line of an
    /// AUTHENTICATE exchange, an error).
    case event(FramingRangeEvent)
    /// A parsed command that may suspend.
    case command(TaggedCommand)
    /// A FETCH answered inline whose output the connection's queue could not take
    /// without waiting: it is written (waiting as any write does), then completed.
    case fetchOutput(tag: String, byUID: Bool, file: MessageFile?)
}

extension Session {
    /// Most messages a FETCH answered inline names: its room in the connection's queue
    /// is checked once its output is encoded, before any of it is queued, so the
    /// answer is queued whole or handed to the command task whole.
    static let inlineFetchMessageLimit = 1

    /// Answers the buffered commands that need no suspension, in order, until one may
    /// suspend (returned, for the command task), the framer needs more bytes, or a
    /// command ends the loop or starts IDLE (nil).
    @inline(never)
    func answerBufferedCommandsInline() throws -> BufferedWork? {
        while exit == nil, idleTag == nil, let event = framer.nextRangeEvent() {
            guard case .command(let range) = event, !isAuthenticating else { return .event(event) }
            guard let tagged = parseCommand(in: range) else { continue }
            if let work = try answerInline(tagged) { return work }
        }
        return nil
    }

    private var isAuthenticating: Bool {
        if case .authenticating = machine.state { return true }
        return false
    }

    /// Answers `tagged` if it can be answered without suspending; else returns the
    /// work the command task does for it (nothing of it sent yet, or its output when
    /// `.fetchOutput`).
    private func answerInline(_ tagged: TaggedCommand) throws -> BufferedWork? {
        guard case .fetch(let fetch) = tagged.command, tagged.unknownCommandResponse == nil,
              case .run = machine.decide(tagged.command) else { return .command(tagged) }
        return try answerFetchInline(tagged, fetch)
    }

    /// FETCH of whole bodies (and index items) of at most one message, without
    /// `\Seen` to set: the answer of `handleFetch` (its file path), built and queued in
    /// one step. A FETCH that names more messages, or that must set `\Seen`, or a
    /// connection with stream layers, goes to the command task; so does the output
    /// when the connection's queue has no room for it.
    private func answerFetchInline(_ tagged: TaggedCommand, _ command: FetchCommand) throws -> BufferedWork? {
        guard command.modifiers.isEmpty, selected != nil, !FetchResponder.setsSeen(command.attributes),
              FetchResponder.needsMessageFile(command.attributes), FetchPlan.asksWholeBodiesOnly(command.attributes),
              connection.hasRoomWithoutWaiting(for: 0) else { return .command(tagged) }
        // As `execute` does before any command; when the command task takes the FETCH
        // after all, its own call finds nothing new to report.
        reportMailboxUpdates(before: tagged.command)
        let attributes = answeredAttributes(command.attributes, changedSince: nil)
        let tag = tagged.tag
        do {
            // The selection is used in place through `selected!`: a copy and its
            // write-back retained and released each of its references.
            let uids = try selected!.resolve(command.set, byUID: command.byUID)
            guard uids.count <= Self.inlineFetchMessageLimit else { return .command(tagged) }
            let mailbox = selected!.mailbox
            let view = mailbox.view()
            // Without the encoder: a label encoded once is worth it for many messages,
            // not for one (it is encoded with the response instead).
            let plan = FetchPlan(attributes)
            let reader = mailbox.messageReader(for: view)
            reader.readsWholeBodiesOnly = plan.needsWholeBodiesOnly
            let files = FileFetch(
                responder: FetchResponder(reportsRecent: !machine.isRev2Enabled), plan: plan, reader: reader,
                needsFile: true, byUID: command.byUID, seenChanged: UIDSet())
            var file: MessageFile?
            var noEntries: HeaderCacheCursor?
            var rows = AscendingUIDCursor(view.uids)
            var sequences = AscendingUIDCursor(selected!.updates.knownUIDs)
            for uid in uids {
                guard let row = rows.position(of: uid), let position = sequences.position(of: uid) else { continue }
                file = try encodeMessage(uid: uid, row: row, position: position, view: view, files, &selected!,
                                         headerEntries: &noEntries)
            }
            if !output.splices.isEmpty {
                guard connection.hasRoomWithoutWaiting(for: outputByteCountWithBodies) else {
                    return .fetchOutput(tag: tag, byUID: command.byUID, file: file)
                }
                try queueOutputWithBodies(from: file)
            }
            complete(tag, command.byUID ? "UID FETCH completed" : "FETCH completed")
        } catch let error as ConnectionError {
            throw error
        } catch {
            if let status = Self.status(answering: error) {
                send(.tagged(tag: tag, status))
            } else {
                answerFailure(error, of: tagged)
            }
        }
        return nil
    }

    /// The command task's part of a FETCH answered inline whose output had to wait.
    func finishFetchOutput(tag: String, byUID: Bool, file: MessageFile?) async throws {
        try await writeOutputWithBodies(from: file)
        complete(tag, byUID ? "UID FETCH completed" : "FETCH completed")
    }
}
