import IMAPCodec
import MailStore
import ShardRuntime

/// APPEND with MULTIAPPEND (RFC 3502), `[APPENDUID]` (RFC 4315) and APPENDLIMIT
/// (RFC 7889).
extension Session {
    func handleAppend(tag: String, to name: MailboxName, _ messages: [AppendMessage]) async throws {
        guard let userStore else { preconditionFailure("APPEND before login") }
        if FanoutTrace.enabled {
            FanoutTrace.flush()
            FanoutTrace.note("append-start")
        }
        let limit = context.settings.appendLimit
        var batch: [NewMessage] = []
        batch.reserveCapacity(messages.count)
        for message in messages {
            guard message.data.count <= limit else { throw MessageCommandError.tooBig(limit: limit) }
            guard !message.data.isEmpty else { throw MessageCommandError.invalidFlag("empty message") }
            let flags = try FlagTranslation.messageFlags(message.options.flags)
            let date = message.options.internalDate.map(InternalDate.init) ?? .now()
            let data = message.isBinary ? BinaryAppendEncoding.storable(message.data) : message.data
            batch.append(NewMessage(data, flags: flags, internalDate: date))
        }
        let destination: Mailbox
        do {
            destination = try await userStore.mailbox(named: try storeName(name))
        } catch StoreError.mailboxNotFound {
            throw MessageCommandError.tryCreate
        }
        // One store call for all messages: MULTIAPPEND is all or nothing.
        let uids = try await destination.append(batch)
        FanoutTrace.note("append-durable")
        let uidValidity = destination.status().uidValidity
        if let selection = selected, selection.mailbox === destination {
            reportMailboxUpdates(allowExpunge: true)
        }
        complete(tag, code: .appendUID(uidValidity: uidValidity, uids: SearchResponder.compress(uids)), "APPEND completed")
    }
}

extension Session {
    /// An APPEND whose literal was too large to buffer arrives as framer events;
    /// the command runs when its tail arrives, with the same rules and answers as
    /// a buffered one.
    func handleStreamedAppend(_ event: FramingEvent) async throws {
        switch event {
        case let .streamedLiteralBegins(head, byteCount, continuing, synchronizing):
            var append = continuing ? (streamedAppend?.value ?? StreamedAppend()) : StreamedAppend()
            append.begin(head: head, byteCount: byteCount, continuing: continuing)
            streamedAppend = Boxed(append)
            if synchronizing {
                // The client waits for the "+" before it sends the literal.
                send(.continuation(.text(ResponseText(text: "Ready for literal"))))
                try await flush()
            }
        case let .streamedLiteralBytes(bytes):
            streamedAppend?.value.receive(bytes)
        case .streamedLiteralEnds:
            streamedAppend?.value.endLiteral()
        case let .streamedCommandEnds(tail):
            var append = streamedAppend?.value ?? StreamedAppend()
            streamedAppend = nil
            switch append.finish(tail: tail) {
            case let .failure(error):
                send(error.response)
            case let .success((tag, mailbox, messages)):
                let command = Command.append(mailbox, messages)
                if case .reject(let reason) = machine.decide(command) {
                    send(.tagged(tag: tag, StatusResponse(.bad, reason)))
                    return
                }
                do {
                    try await handleMessageCommand(TaggedCommand(tag: tag, command: command))
                } catch let error as ConnectionError {
                    throw error
                } catch {
                    send(SessionError(error).response(tag: tag))
                }
            }
        default:
            break
        }
    }
}
