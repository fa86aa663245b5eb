import Synchronization

/// The root of all users' mail: `<root>/users/<2 hex>/<2 hex>/<user>/`. The
/// two-level fan-out comes from a stable hash of the user name, so a fleet of
/// millions of users stays listable and one user's directory can be moved or
/// backed up alone.
///
/// On disk, per user:
///
///     mailboxes                  registry: names, ids, UIDVALIDITY, roles, subscriptions
///     mailboxes.d/<id>/journal   append-only, checksummed records (see `JournalRecord`)
///     mailboxes.d/<id>/index     snapshot: the journal folded up to a generation
///     mailboxes.d/<id>/packs/<id>.<gen>  journals, current and past, holding small bodies
///     mailboxes.d/<id>/msgs/<uid>  a file per large message: body, MIME structure, footer
///     mailboxes.d/<id>/tmp/      files being written (emptied on open)
///
/// Durability: a write is acknowledged once its journal record is synced (group
/// commit), and only then do readers (views, STATUS, SEARCH, change events) see
/// it. Bodies up to `StoreOptions.journaledBodyLimit` are written into the
/// journal and stay there: the journal is also a pack (a hard link made when it
/// is created), outliving compaction while any message lies in it, so an append
/// creates no file and one sync covers many appends (see `BodyLocation`). Larger
/// bodies get a file of their own, synced before their record is written. COPY
/// shares bodies by hard-linking the pack or file. Recovery keeps every intact
/// record and cuts the journal at the first torn or corrupt one.
///
/// Typical use:
///
///     let store = try MailStore(root: "/var/mail/mailshard")
///     let inbox = try await store.user("alice@example.com").mailbox(named: "INBOX")
///     let uid = try await inbox.append(bytes, flags: MessageFlags(.seen))
///     let body = try inbox.openMessage(uid: uid)          // mmap'd, FETCH from here
///     // zero-copy: bytes body.bodyOffset ..< body.bodyOffset + body.bodySize of body.bodyPath
///     _ = try await inbox.store(.add(MessageFlags(.flagged)), uids: UIDSet([uid...uid]))
///     let hits = inbox.search(.and([.unseen, .text(.from("bob"))]))
///     for await event in inbox.changes() { … }             // IDLE
public final class MailStore: Sendable {
    public let root: String
    public let options: StoreOptions
    private let users = Mutex<[String: UserStore]>([:])
    private let gate = AsyncGate()
    private let bodySyncer: BodySyncer

    /// Opens (creating if needed) the data root. `root` must be an absolute path.
    public init(root: String, options: StoreOptions = StoreOptions()) throws {
        precondition(root.hasPrefix("/"), "the data root must be an absolute path")
        self.root = root
        self.options = options
        try options.io.makeDirectories(root + "/users")
        bodySyncer = try BodySyncer(directory: root, options: options)
    }

    /// The directory of a user, e.g. `users/3f/a2/alice@example.com`.
    public func userDirectory(_ name: String) throws -> String {
        guard !name.isEmpty, name != ".", name != "..", name.utf8.count <= 255,
              !name.unicodeScalars.contains(where: { $0 == "/" || $0.value < 0x20 || $0.value == 0x7F })
        else { throw StoreError.invalidUserName(name) }
        var hash: UInt32 = 0x811C_9DC5 // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 8 - hex.count) + hex
        return root + "/users/\(padded.prefix(2))/\(padded.dropFirst(2).prefix(2))/\(name)"
    }

    /// Opens a user's store, creating it with the default mailboxes on first use.
    /// One `UserStore` per user per process; later calls return the same object.
    public func user(_ name: String) async throws -> UserStore {
        let directory = try userDirectory(name)
        if let user = users.withLock({ $0[name] }) { return user }
        return try await gate.withGate {
            if let user = users.withLock({ $0[name] }) { return user }
            let user = try await UserStore.open(name: name, directory: directory, options: options, bodySyncer: bodySyncer)
            users.withLock { $0[name] = user }
            return user
        }
    }

    /// Closes every open user and mailbox.
    public func close() async {
        let open = users.withLock { users in
            defer { users.removeAll() }
            return Array(users.values)
        }
        for user in open { await user.close() }
    }
}
