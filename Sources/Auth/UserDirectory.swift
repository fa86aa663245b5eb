#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The users of a passwd-file, re-read when the file changes (a new inode, size
/// or modification time), so an operator's `mailshard user add` or a hand edit
/// takes effect at the next login without a restart. Safe to share between shards.
public final class UserDirectory: Sendable {
    public let path: String

    private struct Loaded {
        var file: PasswdFile
        var identity: FileIdentity?
    }

    private let state: Mutex<Loaded>

    /// A directory over `path`. A missing file is an empty directory until it
    /// appears; any other read error is thrown.
    public init(path: String) throws(PasswdFileError) {
        self.path = path
        let (file, identity) = try UserDirectory.load(path)
        state = Mutex(Loaded(file: file, identity: identity))
    }

    /// The entry for `user`, after re-reading the file if it changed. When the
    /// changed file cannot be read, the last good copy keeps serving.
    public func entry(for user: String) -> PasswdEntry? {
        let current = FileIdentity(path: path)
        return state.withLock { loaded in
            if current != loaded.identity, let (file, identity) = try? UserDirectory.load(path) {
                loaded = Loaded(file: file, identity: identity)
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

/// What tells one version of a file from the next without reading it.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
