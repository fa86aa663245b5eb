import IMAPCodec
import MailStore

/// What CONDSTORE (RFC 7162 3.1) adds across commands: the first "CONDSTORE
/// enabling command" and the HIGHESTMODSEQ it owes a selected mailbox.
extension Session {
    /// Notes that the running command enables CONDSTORE. The first one with a
    /// mailbox selected tells the client that mailbox's HIGHESTMODSEQ, before the
    /// command's own responses (RFC 7162 3.1, Example 5): the value of the state
    /// the client was last told of, so it never claims changes it has not heard.
    /// An expunge it may not hear yet (during FETCH, STORE, SEARCH) keeps the value
    /// below that expunge's MODSEQ (RFC 7162 3.2). For an old expunge the store may
    /// only know a lower bound (merged history, `expungeModSeq(of:)`), never a
    /// higher one, so the value can come out lower than needed, never too high.
    func condStoreUsed() {
        guard machine.condStoreUsed(), let selection = selected else { return }
        let view = selection.view
        var highest = view.highestModSeq
        for uid in selection.updates.pendingExpungeUIDs {
            if let modSeq = view.expungeModSeq(of: uid), modSeq <= highest { highest = modSeq - 1 }
        }
        send(.untagged(.condition(StatusResponse(.ok, code: .highestModificationSequence(highest), "Highest"))))
    }
}
