extension UserStore {
    /// CREATE: makes `name` and any missing parents (RFC 9051 6.3.4), each with a
    /// fresh UIDVALIDITY.
    public func create(_ name: String, role: SpecialUse? = nil) async throws {
        let name = try MailboxRegistry.normalize(name)
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            guard registry.find(name) == nil else { throw StoreError.mailboxExists(name) }
            for path in MailboxRegistry.lineage(of: name) where registry.find(path) == nil {
                let info = MailboxInfo(
                    name: path, id: registry.takeID(), uidValidity: registry.takeUIDValidity(now: Self.now()),
                    role: path == name ? role : nil)
                try await Mailbox.create(directory: mailboxDirectory(info.id), uidValidity: info.uidValidity, io: io)
                registry.mailboxes.append(info)
            }
            try await save(registry)
        }
    }

    /// DELETE: removes the mailbox and its messages; children stay. INBOX cannot go.
    public func delete(_ name: String) async throws {
        let name = try MailboxRegistry.normalize(name)
        guard name != "INBOX" else { throw StoreError.operationNotAllowed("INBOX cannot be deleted") }
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            guard let info = registry.find(name) else { throw StoreError.mailboxNotFound(name) }
            registry.mailboxes.removeAll { $0.id == info.id }
            // The registry first: once it no longer names the mailbox, a crash leaves
            // only a directory that the next open sweeps.
            try await save(registry)
            // With a quota every mailbox is open (user open counts them all), so
            // what this one held is released here.
            let mailbox = state.withLock { $0.open.removeValue(forKey: info.id) }
            if let mailbox {
                let status = mailbox.status()
                quota?.release(messages: Int64(status.messages), bytes: status.size)
                await mailbox.close()
            }
            try io.removeTree(mailboxDirectory(info.id))
        }
    }

    /// RENAME: renames a mailbox and all its children. Renaming INBOX moves its
    /// messages to the new name and leaves an empty INBOX (RFC 9051 6.3.6): the
    /// store does it by handing INBOX's directory to the new name and giving INBOX a
    /// new, empty one with a new UIDVALIDITY; INBOX's children stay.
    public func rename(_ from: String, to: String) async throws {
        let from = try MailboxRegistry.normalize(from), to = try MailboxRegistry.normalize(to)
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            guard registry.find(from) != nil else { throw StoreError.mailboxNotFound(from) }
            guard registry.find(to) == nil else { throw StoreError.mailboxExists(to) }
            guard to != from, !to.hasPrefix(from + "/") else {
                throw StoreError.operationNotAllowed("cannot rename \(from) under itself")
            }
            if from == "INBOX" {
                let inbox = registry.find("INBOX")!
                let index = registry.mailboxes.firstIndex { $0.id == inbox.id }!
                registry.mailboxes[index].name = to
                let fresh = MailboxInfo(
                    name: "INBOX", id: registry.takeID(), uidValidity: registry.takeUIDValidity(now: Self.now()), role: nil)
                try await Mailbox.create(directory: mailboxDirectory(fresh.id), uidValidity: fresh.uidValidity, io: io)
                registry.mailboxes.append(fresh)
            } else {
                let prefix = from + "/"
                for i in registry.mailboxes.indices {
                    let name = registry.mailboxes[i].name
                    if name == from {
                        registry.mailboxes[i].name = to
                    } else if name.hasPrefix(prefix) {
                        let renamed = to + "/" + name.dropFirst(prefix.count)
                        guard registry.find(renamed) == nil else { throw StoreError.mailboxExists(renamed) }
                        registry.mailboxes[i].name = renamed
                    }
                }
            }
            for parent in MailboxRegistry.lineage(of: to).dropLast() where registry.find(parent) == nil {
                let info = MailboxInfo(
                    name: parent, id: registry.takeID(), uidValidity: registry.takeUIDValidity(now: Self.now()), role: nil)
                try await Mailbox.create(directory: mailboxDirectory(info.id), uidValidity: info.uidValidity, io: io)
                registry.mailboxes.append(info)
            }
            try await save(registry)
        }
    }

    /// SUBSCRIBE; the name need not exist (RFC 9051 6.3.7).
    public func subscribe(_ name: String) async throws {
        let name = try MailboxRegistry.normalize(name)
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            guard !registry.subscriptions.contains(name) else { return }
            registry.subscriptions.append(name)
            try await save(registry)
        }
    }

    public func unsubscribe(_ name: String) async throws {
        let name = try MailboxRegistry.normalize(name)
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            registry.subscriptions.removeAll { $0 == name }
            try await save(registry)
        }
    }

    /// Sets a mailbox's special use (CREATE … USE, METADATA-free admin tooling).
    public func setRole(_ role: SpecialUse?, of name: String) async throws {
        let name = try MailboxRegistry.normalize(name)
        try await gate.withGate {
            var registry = state.withLock { $0.registry }
            guard let index = registry.mailboxes.firstIndex(where: { $0.name == name }) else {
                throw StoreError.mailboxNotFound(name)
            }
            registry.mailboxes[index].role = role
            try await save(registry)
        }
    }

    /// The mailbox an import writes into, created if needed. With `uidValidity`, a
    /// new mailbox gets it, and so does an existing one that has never held a
    /// message (a new user's INBOX), so imported UIDs stay valid for clients.
    func mailboxForImport(_ name: String, uidValidity: UInt32?) async throws -> Mailbox {
        let name = try MailboxRegistry.normalize(name)
        if let existing = info(name) {
            let mailbox = try await mailbox(id: existing.id)
            guard let uidValidity, existing.uidValidity != uidValidity, mailbox.isPristine else { return mailbox }
            try await gate.withGate {
                var registry = state.withLock { $0.registry }
                guard let index = registry.mailboxes.firstIndex(where: { $0.id == existing.id }) else { return }
                let open = state.withLock { $0.open.removeValue(forKey: existing.id) }
                await open?.close()
                try io.removeTree(mailboxDirectory(existing.id))
                try await Mailbox.create(directory: mailboxDirectory(existing.id), uidValidity: uidValidity, io: io)
                registry.mailboxes[index].uidValidity = uidValidity
                try await save(registry)
            }
            return try await self.mailbox(id: existing.id)
        }
        let id = try await gate.withGate { () async throws -> UInt32 in
            var registry = state.withLock { $0.registry }
            for path in MailboxRegistry.lineage(of: name) where registry.find(path) == nil {
                let validity = path == name ? (uidValidity ?? registry.takeUIDValidity(now: Self.now()))
                    : registry.takeUIDValidity(now: Self.now())
                let info = MailboxInfo(name: path, id: registry.takeID(), uidValidity: validity, role: nil)
                try await Mailbox.create(directory: mailboxDirectory(info.id), uidValidity: validity, io: io)
                registry.mailboxes.append(info)
            }
            try await save(registry)
            return registry.find(name)!.id
        }
        return try await mailbox(id: id)
    }

    private func save(_ registry: MailboxRegistry) async throws {
        try await io.writeFileAtomically(registryPath, registry.encode())
        state.withLock { $0.registry = registry }
    }
}
