import Synchronization

/// The root of all users' mail: `<root>/users/<2 hex>/<2 hex>/<user>/`. The
/// two-level fan-out comes from a stable hash of the user name, so a fleet of
/// millions of users stays listable and one user's directory can be moved or
/// backed up alone.
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
