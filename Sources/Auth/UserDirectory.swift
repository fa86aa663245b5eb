import Synchronization

/// The users of a passwd-file, re-read when the file changes (a new inode, size
/// or modification time), so an operator's `mailshard user add` or a hand edit
/// takes effect without a restart. The file is looked at (one `stat`) at most once
/// per `recheckInterval`, not at every login: a busy server logs in thousands of
/// users a second, and an edit may take that long to be seen. Safe to share
/// between shards.
public final class UserDirectory: Sendable {
    public let path: String
    /// The longest an edit of the file can go unseen.
    public let recheckInterval: Duration

    private struct Loaded {
        var file: PasswdFile
        var identity: FileIdentity?
        var nextCheck: ContinuousClock.Instant
    }

    private let state: Mutex<Loaded>

    /// A directory over `path`. A missing file is an empty directory until it
    /// appears; any other read error is thrown.
    public init(path: String, recheckInterval: Duration = .seconds(1)) throws(PasswdFileError) {
        self.path = path
        self.recheckInterval = recheckInterval
        let (file, identity) = try UserDirectory.load(path)
        state = Mutex(Loaded(file: file, identity: identity, nextCheck: .now + recheckInterval))
    }

    /// The entry for `user`, after re-reading the file if it changed (checked at
    /// most once per `recheckInterval`). When the changed file cannot be read, the
    /// last good copy keeps serving.
    public func entry(for user: String) -> PasswdEntry? {
        let now = ContinuousClock.now
        return state.withLock { loaded in
            if now >= loaded.nextCheck {
                loaded.nextCheck = now + recheckInterval
                let current = FileIdentity(path: path)
                if current != loaded.identity, let (file, identity) = try? UserDirectory.load(path) {
                    loaded.file = file
                    loaded.identity = identity
                }
            }
            return loaded.file.entry(for: user)
        }
    }

    /// Problems in the file as last read (`line N: reason`), for the log.
    public var problems: [String] {
        state.withLock { $0.file.problems }
    }

    private static func load(_ path: String) throws(PasswdFileError) -> (PasswdFile, FileIdentity?) {
        let identity = FileIdentity(path: path)
        do {
            return (try PasswdFile.read(path: path), identity)
        } catch where error.isMissingFile {
            return (PasswdFile(), nil)
        }
    }
}
