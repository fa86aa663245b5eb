import IMAPCodec
import MailStore

/// EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315; with QRESYNC, RFC 7162
/// 3.2.7 and 3.2.9).
extension Session {
    func handleExpunge(tag: String, uids set: SequenceSet?) async throws {
        guard var selection = selected else { preconditionFailure("EXPUNGE without a selection") }
        guard !selection.isReadOnly else { throw MessageCommandError.readOnly }
        let limit = try set.map { set throws(MessageCommandError) in try selection.resolve(set, byUID: true) }
        let removed = limit?.isEmpty == true ? UIDSet() : try await selection.mailbox.expunge(uids: limit)
        let qresync = machine.isQResyncEnabled
        for response in selection.updates.expungeNow(removed, vanished: qresync) { send(.untagged(response)) }
        selected = selection
        let text = set == nil ? "EXPUNGE completed" : "UID EXPUNGE completed"
        // With QRESYNC the client learns the MODSEQ of this expunge (3.2.7): that of
        // the expunge itself, not the mailbox's now, which may count changes by
        // others the client has not heard of yet. Asked of the highest UID: its entry
        // is the newest in the history, so exact even after a huge expunge's
        // older entries were merged (where only a lower bound is known).
        if qresync, let uid = removed.last, let modSeq = selection.mailbox.view().expungeModSeq(of: uid) {
            // Changes published before this expunge (lower MODSEQs) are told first,
            // so the value never covers a change the client has not heard of.
            reportMailboxUpdates(allowExpunge: true)
            complete(tag, code: .highestModificationSequence(modSeq), text)
        } else {
            complete(tag, text)
        }
    }
}
