import IMAPCodec
import MailStore

/// The message commands (APPEND, FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE,
/// UID EXPUNGE, IDLE) enter the session here; each family has its own file.
/// Failures of these commands are typed (`MessageCommandError`) and answered here,
/// in one place; anything else goes to the session's general mapping.
extension Session {
    func handleMessageCommand(_ tagged: TaggedCommand) async throws {
        let tag = tagged.tag
        do {
            switch tagged.command {
            case let .fetch(command): try await handleFetch(tag: tag, command)
            case let .store(command): try await handleStore(tag: tag, command)
            case let .search(command): try await handleSearch(tag: tag, command)
            case let .copy(set, name, byUID): try await handleCopy(tag: tag, set, to: name, byUID: byUID, move: false)
            case let .move(set, name, byUID): try await handleCopy(tag: tag, set, to: name, byUID: byUID, move: true)
            case .expunge: try await handleExpunge(tag: tag, uids: nil)
            case let .uidExpunge(set): try await handleExpunge(tag: tag, uids: set)
            case let .append(name, messages): try await handleAppend(tag: tag, to: name, messages)
            case .idle: try await handleIdle(tag: tag)
            default: preconditionFailure("not a message command: \(tagged.command.name)")
            }
        } catch {
            guard let status = Self.status(answering: error) else { throw error }
            send(.tagged(tag: tag, status))
        }
    }

    /// The tagged answer to a message command's typed failure; nil for any other
    /// error, which the session's general mapping answers (`answerFailure`).
    static func status(answering error: any Error) -> StatusResponse? {
        if let error = error as? MessageCommandError { return status(error) }
        guard let error = error as? StoreError else { return nil }
        switch error {
        case .mailboxNotFound, .overQuota, .messageTooLarge: return status(MessageCommandError(error))
        default: return nil
        }
    }

    static func status(_ error: MessageCommandError) -> StatusResponse {
        let (isBad, code, text) = error.response
        return StatusResponse(isBad ? .bad : .no, code: code, text)
    }

    /// Sends what other sessions (or this one's appends) changed in the selected
    /// mailbox: EXISTS and FLAGS always, EXPUNGE only when `allowExpunge` (not
    /// during FETCH, STORE, SEARCH: RFC 9051 7.5.1).
    func reportMailboxUpdates(allowExpunge: Bool, includeUID: Bool = false) {
        for response in takeMailboxUpdates(allowExpunge: allowExpunge, includeUID: includeUID) { send(.untagged(response)) }
    }

    /// The untagged updates the client may hear now, taken out of the tracker (the
    /// caller sends them; an idler's wake may send shared bytes instead).
    ///
    /// `round`: an idler woken by its shard's fan-out computes against the round's
    /// view and \Recent claims, shared by the shard's idlers (``FanoutRound``).
    func takeMailboxUpdates(allowExpunge: Bool, includeUID: Bool = false, round: FanoutRound? = nil) -> [UntaggedResponse] {
        // Changed in place through `selected!`: taking the selection out and putting
        // it back copied the whole struct (a retain and release of each of its
        // references, every one a cold object for an idler woken among thousands).
        guard selected != nil else { return [] }
        selected!.takeDeliveredChanges()
        let mailbox = selected!.mailbox, readOnly = selected!.isReadOnly
        let shared = round.flatMap { $0.delivers(mailbox) ? $0 : nil }
        let view = shared?.view(of: mailbox) ?? mailbox.view()
        let rev1 = !machine.isRev2Enabled
        let responses = selected!.updates.flush(
            view: view, allowExpunge: allowExpunge, includeUID: includeUID, rev1: rev1,
            condStore: machine.isCondStoreEnabled, vanished: machine.isQResyncEnabled,
            claimRecent: { uids in
                shared?.claimRecent(uids, in: mailbox, readOnly: readOnly) ?? RecentClaims.claim(uids, in: mailbox, readOnly: readOnly)
            })
        selected!.view = view
        return responses
    }

    /// Called before every command runs: FETCH, STORE and SEARCH may not hear
    /// EXPUNGE, as their sequence numbers would shift; their UID forms and every
    /// other command may (RFC 9051 7.5.1), except a UID SEARCH whose criteria hold
    /// sequence numbers (RFC 7162 3.2.10.2).
    func reportMailboxUpdates(before command: Command) {
        switch command {
        case let .fetch(fetch): reportMailboxUpdates(allowExpunge: fetch.byUID)
        case let .store(store): reportMailboxUpdates(allowExpunge: store.byUID)
        case let .search(search): reportMailboxUpdates(allowExpunge: search.byUID && !search.key.mentionsSequenceNumbers)
        case .idle, .logout, .close, .unselect, .select, .examine: break
        default: reportMailboxUpdates(allowExpunge: true)
        }
    }
}
