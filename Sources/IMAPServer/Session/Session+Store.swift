import IMAPCodec
import MailStore

/// STORE and UID STORE (RFC 9051 6.4.6).
extension Session {
    func handleStore(tag: String, _ command: StoreCommand) async throws {
        guard var selection = selected else { preconditionFailure("STORE without a selection") }
        guard !selection.isReadOnly else { throw MessageCommandError.readOnly }
        guard command.modifiers.isEmpty else { throw MessageCommandError.unsupported("STORE modifiers are not supported") }
        let change = try FlagTranslation.change(command.flags)
        let uids = try selection.resolve(command.set, byUID: command.byUID)
        let result = uids.isEmpty ? nil : try await selection.mailbox.store(change, uids: uids)
        let view = selection.mailbox.view()
        for uid in uids {
            guard let message = view.message(uid: uid), let sequence = selection.sequenceNumber(of: uid) else { continue }
            if result?.changed.contains(uid) == true { selection.updates.noteReported(uid: uid, modSeq: message.modSeq) }
            guard !command.flags.silent else { continue }
            var items: [FetchResponseItem] = []
            if command.byUID { items.append(.uid(uid)) }
            items.append(.flags(FlagTranslation.wireFlags(
                message.flags, recent: !machine.isRev2Enabled && selection.updates.recentUIDs.contains(uid))))
            send(.untagged(.fetch(UInt32(sequence), items)))
        }
        selected = selection
        complete(tag, command.byUID ? "UID STORE completed" : "STORE completed")
    }
}
