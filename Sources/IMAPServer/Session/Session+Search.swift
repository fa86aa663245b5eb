import IMAPCodec
import MailStore
import ShardRuntime
import Synchronization

/// SEARCH and UID SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182) and
/// CONDSTORE's MODSEQ (RFC 7162 3.1.5).
extension Session {
    func handleSearch(tag: String, _ command: SearchCommand) async throws {
        guard var selection = selected else { preconditionFailure("SEARCH without a selection") }
        try SearchTranslation.checkCharset(command.charset)
        if let options = command.returnOptions, options.contains(where: { if case .other = $0 { true } else { false } }) {
            throw MessageCommandError.unsupported("Unsupported SEARCH return option")
        }
        var translation = SearchTranslation(savedResult: selection.savedSearch, recentUIDs: selection.updates.recentUIDs)
        // Sequence numbers are the client's, which may differ from the index's
        // while expunges wait to be reported: resolve them to UIDs here.
        let current = selection
        translation.resolveSequenceNumbers = { ranges in
            (try? current.resolve(.ranges(ranges), byUID: false)) ?? UIDSet()
        }
        let key = translation.storeKey(command.key)
        // The view taken now is the snapshot the whole SEARCH reads: expunges and
        // appends by other sessions meanwhile change neither the answer nor the
        // sequence numbers, which map through `selection` as the command found it
        // (no EXPUNGE reaches the client during SEARCH, RFC 9051 7.5.1).
        let view = selection.mailbox.view()
        let found: [UID]
        if SearchPlacement.runsInline(key, messages: view.count, scheduler: context.searchScheduler) {
            found = selection.mailbox.search(key, in: view)
        } else {
            do {
                found = try await Session.searchOffShard(
                    key, in: view, of: selection.mailbox, for: machine.user ?? "", context: context, connection: connection)
            } catch let reason as ConnectionError {
                context.logger.debug("SEARCH of \(machine.user ?? "-") from \(peer) stopped: \(reason)")
                throw reason
            }
        }
        let matches = found.filter { selection.sequenceNumber(of: $0) != nil }
        let mentionsModSeq = command.key.mentionsModificationSequence
        if mentionsModSeq { condStoreUsed() }
        let outcome = SearchResponder.outcome(
            matches: matches, command: command, tag: tag, rev2: machine.isRev2Enabled,
            sequenceNumber: { selection.sequenceNumber(of: $0).map(UInt32.init) },
            modSeq: mentionsModSeq ? { view.message(uid: $0)?.modSeq ?? 0 } : nil)
        if let saved = outcome.saved { selection.savedSearch = saved }
        selected = selection
        if let response = outcome.response { send(.untagged(response)) }
        complete(tag, command.byUID ? "UID SEARCH completed" : "SEARCH completed")
    }
}

extension Session {
    /// A SEARCH on the scheduler's threads, once its user has a place
    /// (`SearchAdmission`), that stops when nobody waits for its answer: the
    /// peer hangs up, the connection is closed (autologout, a drop) or the
    /// server begins to stop. Commands run between reads, so the session
    /// would otherwise learn of a hang-up only after the whole search; a client
    /// could start a BODY search over 100,000 messages and hang up, again and
    /// again, for the price of a few bytes.
    ///
    /// A stopped search throws the connection's error (`.shuttingDown` or
    /// `.closed`), which ends the session's loop like a failed read: nothing of
    /// the search is ever sent.
    ///
    /// Nonisolated, so the search task inherits no actor: its last steps (merging
    /// the chunks' answers) run on the search threads, not on the shard.
    nonisolated static func searchOffShard(
        _ key: StoreSearchKey, in view: MailboxView, of mailbox: Mailbox, for user: String, context: SessionContext,
        connection: Connection
    ) async throws -> [UID] {
        let scheduler = context.searchScheduler, admission = context.searchAdmission
        let search = Task(executorPreference: scheduler.threads) {
            try await admission.run(for: user) { try await mailbox.search(key, in: view, on: scheduler) }
        }
        let hangUp = HangUpReason()
        let watch = connection.watchHangUp { reason in
            hangUp.record(reason)
            search.cancel()
        }
        defer { watch.cancel() }
        let result = await withTaskCancellationHandler { await search.result } onCancel: { search.cancel() }
        if let reason = hangUp.reason { throw reason }
        return try result.get()
    }
}

/// The first reason a hang-up watch gave, read after the search it stopped.
private final class HangUpReason: Sendable {
    private let state = Mutex<ConnectionError?>(nil)

    func record(_ reason: ConnectionError) {
        state.withLock { if $0 == nil { $0 = reason } }
    }

    var reason: ConnectionError? { state.withLock { $0 } }
}

/// Whether a SEARCH runs inline on the shard or off it (`SearchScheduler`).
///
/// Off the shard a SEARCH costs two thread hops (tens of microseconds) and the
/// chunks' setup; inline it holds the shard, and every other session on it, for
/// as long as it runs. Text keys (BODY, TEXT, HEADER, FROM, ...) read message
/// files at about a microsecond or more per message, so past `textRows` messages
/// they always leave. Keys the index answers (flags, dates, sizes, sets) cost
/// nanoseconds per message: they leave only when they fill more than one of the
/// scheduler's index chunks (`SearchScheduler.indexChunkRows`, 65,536 messages by
/// default: a single chunk off the shard would gain the hop and no parallelism)
/// and only when no other search is running off the shard. Measured (Benchmarks/results/
/// search-check.md): over 100,000 messages two clients' flag searches ran
/// 179/s off the shard against 119/s inline; but beside BODY searches that keep
/// the workers busy, a flag search sent off the shard waited for a worker
/// (p50 58–63 ms against 4–6 ms inline).
enum SearchPlacement {
    static let textRows = 128

    static func runsInline(_ key: StoreSearchKey, messages: Int, scheduler: SearchScheduler) -> Bool {
        if key.needsText { return messages < textRows }
        return messages <= scheduler.indexChunkRows || !scheduler.isIdle
    }
}

extension IMAPCodec.SearchKey {
    /// Whether a MODSEQ criterion appears anywhere in the key: the SEARCH is then
    /// a CONDSTORE enabling command and its result says its highest MODSEQ.
    var mentionsModificationSequence: Bool {
        contains { if case .modificationSequence = $0 { true } else { false } }
    }

    /// Whether message sequence numbers appear anywhere in the key: a UID SEARCH
    /// that has them must not hear EXPUNGE or VANISHED before it runs, as its
    /// numbers mean the messages the client knew (RFC 9051 7.5.1, RFC 7162 3.2.10.2).
    var mentionsSequenceNumbers: Bool {
        contains { if case .sequenceNumbers = $0 { true } else { false } }
    }

    /// Whether `leaf` holds for this key or any key nested in it.
    private func contains(_ leaf: (IMAPCodec.SearchKey) -> Bool) -> Bool {
        switch self {
        case let .not(key): key.contains(leaf)
        case let .or(first, second): first.contains(leaf) || second.contains(leaf)
        case let .and(keys): keys.contains { $0.contains(leaf) }
        default: leaf(self)
        }
    }
}
