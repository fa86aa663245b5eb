import IMAPCodec
import MailStore

/// EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315).
extension Session {
    func handleExpunge(tag: String, uids set: SequenceSet?) async throws {
        guard var selection = selected else { preconditionFailure("EXPUNGE without a selection") }
        guard !selection.isReadOnly else { throw MessageCommandError.readOnly }
        let limit = try set.map { set throws(MessageCommandError) in try selection.resolve(set, byUID: true) }
        let removed = limit?.isEmpty == true ? UIDSet() : try await selection.mailbox.expunge(uids: limit)
        for response in selection.updates.expungeNow(removed) { send(.untagged(response)) }
        selected = selection
        complete(tag, set == nil ? "EXPUNGE completed" : "UID EXPUNGE completed")
    }
}
