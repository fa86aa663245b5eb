import MailStore
import ShardRuntime

/// The store's file operations for the server: everything as `PosixFileIO` does it,
/// except the flush a durable write waits for. Called on a shard thread (a session's
/// handler runs there, and group commit runs its sync in the writer's own task),
/// `sync` is an `IORING_OP_FSYNC` (`IORING_FSYNC_DATASYNC`) on that shard's ring:
/// the flushes of every mailbox written in one loop turn go to the kernel in one
/// `io_uring_enter`, and the waiting writers resume on the shard with no thread
/// hop. Off a shard (start-up, maintenance) it falls back to `PosixFileIO`.
struct ShardFileIO: FileIO {
    private let posix = PosixFileIO()

    func sync(_ fd: Int32) async throws {
        guard let shard = Shard.current else { return try await posix.sync(fd) }
        let result = await shard.sync(descriptor: fd, dataOnly: true)
        if result < 0 { throw StoreError.io(operation: "fdatasync", path: "fd \(fd)", errno: -result) }
    }

    func syncFilesystem(_ fd: Int32) async throws { try await posix.syncFilesystem(fd) }

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try posix.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { posix.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try posix.write(fd, bytes, at: offset) }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try posix.read(fd, into: buffer, at: offset)
    }
    func truncate(_ fd: Int32, to length: Int64) throws { try posix.truncate(fd, to: length) }
    func size(_ fd: Int32) throws -> Int64 { try posix.size(fd) }
    func rename(_ from: String, _ to: String) throws { try posix.rename(from, to) }
    func link(_ from: String, _ to: String) throws { try posix.link(from, to) }
    func unlink(_ path: String) throws { try posix.unlink(path) }
    func makeDirectory(_ path: String) throws { try posix.makeDirectory(path) }
    func listDirectory(_ path: String) throws -> [String] { try posix.listDirectory(path) }
    func removeDirectory(_ path: String) throws { try posix.removeDirectory(path) }
    func fileExists(_ path: String) -> Bool { posix.fileExists(path) }
    func modificationTime(_ path: String) throws -> Int64 { try posix.modificationTime(path) }
    func setModificationTime(_ path: String, seconds: Int64) throws { try posix.setModificationTime(path, seconds: seconds) }
}
