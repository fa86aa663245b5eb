import IMAPCodec
import MailStore

/// SELECT, EXAMINE (with CONDSTORE's and QRESYNC's parameters, RFC 7162 3.1.8 and
/// 3.2.5), CLOSE (with its silent expunge) and UNSELECT.
extension Session {
    func handleSelect(tag: String, name: MailboxName, parameters: [SelectParameter], readOnly: Bool) async throws {
        let command = readOnly ? "EXAMINE" : "SELECT"
        var qresync: QResyncParameter?
        for parameter in parameters {
            switch parameter {
            case .condStore: continue
            case let .qresync(value):
                guard qresync == nil else { throw SessionError.badArguments("QRESYNC given twice") }
                try validateQResync(value)
                qresync = value
            case .other: throw SessionError.badArguments("\(command) parameter not supported")
            }
        }
        // Any selected mailbox is deselected first, even if the new one fails (RFC 9051 6.3.2);
        // a server offering CONDSTORE says so with CLOSED (RFC 7162 3.2.11), whatever the client enabled.
        if selected != nil {
            selected = nil
            machine.unselected()
            send(.untagged(.condition(StatusResponse(.ok, code: .closed, "Previous mailbox closed"))))
        }
        if parameters.contains(.condStore) { _ = machine.condStoreUsed() }
        let storeName = try storeName(name)
        guard let userStore else { preconditionFailure("SELECT before login") }
        let mailbox = try await userStore.mailbox(named: storeName)
        let selection = SelectedMailbox(name: storeName, mailbox: mailbox, isReadOnly: readOnly)
        let view = selection.view
        let status = view.status
        let systemFlags: [Flag] = [.answered, .flagged, .deleted, .seen, .draft]
        let keywords = view.keywords.map(Flag.init)
        send(.untagged(.exists(UInt32(status.messages))))
        if !machine.isRev2Enabled {
            send(.untagged(.recent(UInt32(selection.updates.recentUIDs.count))))
            if let firstUnseen = mailbox.search(.unseen, in: view).first, let sequence = view.sequenceNumber(of: firstUnseen) {
                send(.untagged(.condition(StatusResponse(.ok, code: .other(name: "UNSEEN", text: String(sequence)), "First unseen"))))
            }
        }
        send(.untagged(.condition(StatusResponse(.ok, code: .uidValidity(status.uidValidity), "UIDs valid"))))
        send(.untagged(.condition(StatusResponse(.ok, code: .uidNext(status.uidNext), "Predicted next UID"))))
        send(.untagged(.flags(systemFlags + keywords)))
        let permanent: [Flag] = readOnly ? [] : systemFlags + keywords + (view.canCreateKeywords ? [.wildcard] : [])
        send(.untagged(.condition(StatusResponse(.ok, code: .permanentFlags(permanent), readOnly ? "No permanent flags permitted" : "Flags permitted"))))
        // Every mailbox keeps its MODSEQs, so never NOMODSEQ (RFC 7162 3.1.2.1).
        if machine.isCondStoreEnabled {
            send(.untagged(.condition(StatusResponse(.ok, code: .highestModificationSequence(status.highestModSeq), "Highest"))))
        }
        if machine.isRev2Enabled {
            send(.untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: wireName(storeName)))))
        }
        selected = selection
        machine.selected(readOnly: readOnly)
        if let qresync { try await sendQResyncChanges(qresync, selection: selection) }
        complete(tag, code: readOnly ? .readOnly : .readWrite, "\(command) completed")
    }

    /// Expunges `\Deleted` messages silently (no EXPUNGE responses) unless the
    /// mailbox is read-only, then deselects.
    func handleClose(tag: String) async throws {
        guard let selection = selected else { preconditionFailure("CLOSE without a selection") }
        selected = nil
        machine.unselected()
        if !selection.isReadOnly {
            _ = try await selection.mailbox.expunge()
        }
        complete(tag, "CLOSE completed")
    }

    func handleUnselect(tag: String) {
        selected = nil
        machine.unselected()
        complete(tag, "UNSELECT completed")
    }
}
