import IMAPCodec
import MailStore

/// CREATE (with CREATE-SPECIAL-USE's USE), DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE.
extension Session {
    func handleCreate(tag: String, name: MailboxName, parameters: [CreateParameter]) async throws {
        var role: SpecialUse?
        for parameter in parameters {
            switch parameter {
            case .use(let uses):
                guard uses.count <= 1 else { throw SessionError.unsupportedSpecialUse(uses.joined(separator: " ")) }
                if let use = uses.first {
                    guard let known = SpecialUse.allCases.first(where: { $0.rawValue.lowercased() == use.lowercased() }) else {
                        throw SessionError.unsupportedSpecialUse(use)
                    }
                    role = known
                }
            case .other:
                throw SessionError.badArguments("Unsupported CREATE parameter")
            }
        }
        var storeName = try storeName(name)
        // A trailing delimiter declares the intent to create children (RFC 9051 6.3.4).
        while storeName.count > 1, storeName.hasSuffix("/") { storeName.removeLast() }
        try await user.create(storeName, role: role)
        complete(tag, "CREATE completed")
    }

    func handleDelete(tag: String, name: MailboxName) async throws {
        let storeName = try storeName(name)
        try await user.delete(storeName)
        if selected?.name == storeName {
            selected = nil
            machine.unselected()
        }
        complete(tag, "DELETE completed")
    }

    func handleRename(tag: String, from: MailboxName, to: MailboxName) async throws {
        let source = try storeName(from), target = try storeName(to)
        try await user.rename(source, to: target)
        // The selected mailbox keeps its messages under its new name (renaming INBOX
        // moves them away, so a selected INBOX follows them too).
        if let name = selected?.name, name == source || name.hasPrefix(source + "/") {
            selected?.name = target + name.dropFirst(source.count)
        }
        complete(tag, "RENAME completed")
    }

    func handleSubscribe(tag: String, name: MailboxName, subscribe: Bool) async throws {
        let storeName = try storeName(name)
        if subscribe {
            try await user.subscribe(storeName)
            complete(tag, "SUBSCRIBE completed")
        } else {
            try await user.unsubscribe(storeName)
            complete(tag, "UNSUBSCRIBE completed")
        }
    }

    /// The logged-in user's store (the state machine guarantees there is one).
    var user: UserStore {
        guard let userStore else { preconditionFailure("mailbox command before login") }
        return userStore
    }
}
