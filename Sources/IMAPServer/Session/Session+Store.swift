import IMAPCodec
import MailStore

/// STORE and UID STORE (RFC 9051 6.4.6), with CONDSTORE's UNCHANGEDSINCE
/// (RFC 7162 3.1.3).
extension Session {
    func handleStore(tag: String, _ command: StoreCommand) async throws {
        guard var selection = selected else { preconditionFailure("STORE without a selection") }
        guard !selection.isReadOnly else { throw MessageCommandError.readOnly }
        let unchangedSince = try Self.unchangedSince(command)
        let change = try FlagTranslation.change(command.flags)
        let uids = try selection.resolve(command.set, byUID: command.byUID)
        if unchangedSince != nil { condStoreUsed() }
        let result = uids.isEmpty ? nil : try await selection.mailbox.store(change, uids: uids, unchangedSince: unchangedSince)
        let view = selection.mailbox.view()
        // A CONDSTORE client hears UID and MODSEQ with every FETCH (RFC 7162 3.2.4),
        // even after .SILENT when its MODSEQ moved or UNCHANGEDSINCE was given (3.1.3).
        let condStore = machine.isCondStoreEnabled
        let modified = result?.modified ?? UIDSet()
        for uid in uids {
            guard let message = view.message(uid: uid), let sequence = selection.sequenceNumber(of: uid) else { continue }
            let changed = result?.changed.contains(uid) == true
            if changed { selection.updates.noteReported(uid: uid, modSeq: message.modSeq) }
            let failed = !modified.isEmpty && modified.contains(uid)
            let showsFlags: Bool
            if failed {
                // Its flags as another session left them, so the client need not ask
                // why it failed (RFC 7162 3.1.3, Example 10); not reported again later.
                showsFlags = true
                selection.updates.noteReported(uid: uid, modSeq: message.modSeq)
            } else if !command.flags.silent {
                showsFlags = true
            } else if condStore, changed || unchangedSince != nil {
                showsFlags = false
            } else {
                continue
            }
            var items: [FetchResponseItem] = []
            if command.byUID || condStore { items.append(.uid(uid)) }
            if showsFlags {
                items.append(.flags(FlagTranslation.wireFlags(
                    message.flags, recent: !machine.isRev2Enabled && selection.updates.recentUIDs.contains(uid))))
            }
            if condStore { items.append(.modificationSequence(message.modSeq)) }
            send(.untagged(.fetch(UInt32(sequence), items)))
        }
        selected = selection
        let verb = command.byUID ? "UID STORE" : "STORE"
        // UIDs for UID STORE, the client's sequence numbers for STORE (every
        // message the store refused is one the client knows: it named it).
        let numbers = command.byUID ? [] : modified.compactMap { selection.sequenceNumber(of: $0).map(UInt32.init) }
        if modified.isEmpty {
            complete(tag, "\(verb) completed")
        } else if command.byUID {
            complete(tag, code: .modified(SearchResponder.compress(modified)), "Conditional \(verb) failed")
        } else {
            complete(tag, code: numbers.isEmpty ? nil : .modified(SearchResponder.compress(numbers)), "Conditional \(verb) failed")
        }
    }

    /// The UNCHANGEDSINCE modifier's value, if given; BAD for anything else.
    private static func unchangedSince(_ command: StoreCommand) throws(MessageCommandError) -> ModSeq? {
        var unchangedSince: ModSeq?
        for modifier in command.modifiers {
            switch modifier {
            case let .unchangedSince(value):
                // "Only a single UNCHANGEDSINCE may be specified" (RFC 7162 7).
                guard unchangedSince == nil else { throw .invalidArguments("UNCHANGEDSINCE given twice") }
                unchangedSince = value
            case .other: throw .unsupported("Unsupported STORE modifier")
            }
        }
        return unchangedSince
    }
}
