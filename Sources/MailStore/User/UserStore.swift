import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One user's mail: their mailboxes, subscriptions and quota, all under one
/// self-contained directory (`users/ab/cd/<user>/`):
///
///     mailboxes          the registry (names, ids, roles, subscriptions)
///     mailboxes.d/<id>/  one directory per mailbox (see `Mailbox`)
///
/// Changes to the registry are serialized; mailboxes are opened once and shared.
public final class UserStore: Sendable {
    public let name: String
    public let directory: String
    let options: StoreOptions
    let gate = AsyncGate()
    let state: Mutex<State>
    let quota: QuotaAccount?
    let bodySyncer: BodySyncer

    struct State {
        var registry: MailboxRegistry
        var open: [UInt32: Mailbox] = [:]
    }

    /// The mailboxes a new user starts with.
    public static let defaultMailboxes: [(String, SpecialUse?)] = [
        ("INBOX", nil), ("Sent", .sent), ("Drafts", .drafts), ("Trash", .trash), ("Junk", .junk), ("Archive", .archive),
    ]

    var io: any FileIO { options.io }
    var registryPath: String { directory + "/mailboxes" }
    func mailboxDirectory(_ id: UInt32) -> String { directory + "/mailboxes.d/\(id)" }

    private init(name: String, directory: String, options: StoreOptions, bodySyncer: BodySyncer, registry: MailboxRegistry) {
        self.bodySyncer = bodySyncer
        self.name = name
        self.directory = directory
        self.options = options
        self.state = Mutex(State(registry: registry))
        self.quota = options.quota == .unlimited ? nil : QuotaAccount(limits: options.quota, usage: .init(messages: 0, bytes: 0))
    }

    /// Opens (creating on first use, with the default mailboxes) a user directory.
    static func open(name: String, directory: String, options: StoreOptions, bodySyncer: BodySyncer) async throws -> UserStore {
        let io = options.io
        let registryPath = directory + "/mailboxes"
        let registry: MailboxRegistry
        if io.fileExists(registryPath) {
            registry = try MailboxRegistry.decode(try io.readFile(registryPath), path: registryPath)
        } else {
            try io.makeDirectories(directory + "/mailboxes.d")
            var fresh = MailboxRegistry(now: Self.now())
            for (name, role) in defaultMailboxes {
                let info = MailboxInfo(name: name, id: fresh.takeID(), uidValidity: fresh.takeUIDValidity(now: Self.now()), role: role)
                try await Mailbox.create(directory: directory + "/mailboxes.d/\(info.id)", uidValidity: info.uidValidity, io: io)
                fresh.mailboxes.append(info)
                fresh.subscriptions.append(name)
            }
            try await io.writeFileAtomically(registryPath, fresh.encode())
            registry = fresh
        }
        let user = UserStore(name: name, directory: directory, options: options, bodySyncer: bodySyncer, registry: registry)
        try user.sweepDeletedMailboxes()
        if let quota = user.quota {
            for info in registry.mailboxes {
                let status = try await user.mailbox(id: info.id).status()
                quota.release(messages: -Int64(status.messages), bytes: -status.size)
            }
        }
        return user
    }

    static func now() -> UInt32 { UInt32(truncatingIfNeeded: InternalDate.now().secondsSinceEpoch) }

    /// Removes directories of mailboxes the registry no longer names (a DELETE or
    /// CREATE interrupted by a crash).
    private func sweepDeletedMailboxes() throws {
        let known = Set(state.withLock { $0.registry.mailboxes.map { String($0.id) } })
        for entry in try io.listDirectory(directory + "/mailboxes.d") where !known.contains(entry) {
            try io.removeTree(directory + "/mailboxes.d/" + entry)
        }
    }

    // MARK: Listing

    /// Every mailbox, sorted by name (INBOX first).
    public func mailboxes() -> [MailboxInfo] {
        state.withLock { $0.registry.mailboxes }.sorted { a, b in
            a.name == "INBOX" ? b.name != "INBOX" : b.name == "INBOX" ? false : a.name < b.name
        }
    }

    public func info(_ name: String) -> MailboxInfo? {
        guard let name = try? MailboxRegistry.normalize(name) else { return nil }
        return state.withLock { $0.registry.find(name) }
    }

    public func subscriptions() -> [String] { state.withLock { $0.registry.subscriptions } }

    /// Messages and bytes in use against the limits (GETQUOTAROOT).
    public func quotaUsage() async throws -> QuotaUsage {
        if let quota { return quota.usage }
        var usage = QuotaUsage(messages: 0, bytes: 0)
        for info in mailboxes() {
            let status = try await mailbox(id: info.id).status()
            usage.messages += Int64(status.messages)
            usage.bytes += status.size
        }
        return usage
    }

    public var quotaLimits: QuotaLimits { options.quota }

    // MARK: Opening

    /// Opens a mailbox by name (SELECT, EXAMINE, APPEND, COPY target).
    public func mailbox(named name: String) async throws -> Mailbox {
        let normalized = try MailboxRegistry.normalize(name)
        guard let info = state.withLock({ $0.registry.find(normalized) }) else { throw StoreError.mailboxNotFound(name) }
        return try await mailbox(id: info.id)
    }

    func mailbox(id: UInt32) async throws -> Mailbox {
        if let open = state.withLock({ $0.open[id] }) { return open }
        return try await gate.withGate {
            if let open = state.withLock({ $0.open[id] }) { return open }
            let mailbox = try await Mailbox.open(
                directory: mailboxDirectory(id), options: options, quota: quota, bodySyncer: bodySyncer)
            state.withLock { $0.open[id] = mailbox }
            return mailbox
        }
    }

    /// Closes every open mailbox (shutdown, tests that reopen).
    public func close() async {
        let open = state.withLock { state in
            defer { state.open.removeAll() }
            return Array(state.open.values)
        }
        for mailbox in open { await mailbox.close() }
    }
}
