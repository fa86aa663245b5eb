import IMAPCodec
import MailStore

/// SEARCH and UID SEARCH with ESEARCH (RFC 4731) and SEARCHRES (RFC 5182).
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
        let view = selection.mailbox.view()
        let matches = selection.mailbox.search(key, in: view).filter { selection.sequenceNumber(of: $0) != nil }
        let outcome = SearchResponder.outcome(
            matches: matches, command: command, tag: tag, rev2: machine.isRev2Enabled,
            sequenceNumber: { selection.sequenceNumber(of: $0).map(UInt32.init) })
        if let saved = outcome.saved { selection.savedSearch = saved }
        selected = selection
        if let response = outcome.response { send(.untagged(response)) }
        complete(tag, command.byUID ? "UID SEARCH completed" : "SEARCH completed")
    }
}
