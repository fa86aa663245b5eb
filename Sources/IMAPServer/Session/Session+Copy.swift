import IMAPCodec
import MailStore

/// COPY, MOVE (RFC 6851) and their UID forms, with `[COPYUID]` (RFC 4315).
extension Session {
    func handleCopy(tag: String, _ set: SequenceSet, to name: MailboxName, byUID: Bool, move: Bool) async throws {
        guard var selection = selected else { preconditionFailure("COPY without a selection") }
        if move, selection.isReadOnly { throw MessageCommandError.readOnly }
        let uids = try selection.resolve(set, byUID: byUID)
        guard let userStore else { preconditionFailure("COPY before login") }
        let destinationName = try storeName(name)
        let destination: Mailbox
        do {
            destination = try await userStore.mailbox(named: destinationName)
        } catch StoreError.mailboxNotFound {
            throw MessageCommandError.tryCreate
        }
        let verb = byUID ? (move ? "UID MOVE" : "UID COPY") : (move ? "MOVE" : "COPY")
        guard !uids.isEmpty else {
            complete(tag, "\(verb) completed")
            return
        }
        let copied = move
            ? try await selection.mailbox.move(uids: uids, to: destination)
            : try await selection.mailbox.copy(uids: uids, to: destination)
        if move, destination === selection.mailbox {
            // The store's move into the same mailbox only copies; a client asking
            // for it wants new UIDs and the old messages gone (RFC 6851 3.3).
            try await selection.mailbox.remove(uids: UIDSet(uids: copied.source))
        }
        let code: ResponseCode? = copied.source.isEmpty ? nil : .copyUID(
            uidValidity: copied.uidValidity,
            source: SearchResponder.compress(copied.source), destination: SearchResponder.compress(copied.destination))
        if move {
            // RFC 6851 3.3: COPYUID in an untagged OK, then the EXPUNGEs, then the tagged OK.
            if let code { send(.untagged(.condition(StatusResponse(.ok, code: code, "Moved UIDs")))) }
            for response in selection.updates.expungeNow(
                UIDSet(uids: copied.source), vanished: machine.isQResyncEnabled) { send(.untagged(response)) }
            selected = selection
            // Moved or copied into the selected mailbox itself: announce the copies.
            if destination === selection.mailbox { reportMailboxUpdates(allowExpunge: true) }
            complete(tag, "\(verb) completed")
        } else {
            selected = selection
            if destination === selection.mailbox { reportMailboxUpdates(allowExpunge: true) }
            complete(tag, code: code, "\(verb) completed")
        }
    }
}
