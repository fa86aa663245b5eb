/// The file operations the store performs, as a seam: tests and tools use
/// `PosixFileIO` (plain system calls); the server can supply an implementation that
/// routes the slow ones through its shard's io_uring (`IORING_OP_FSYNC`, …).
///
/// Only `sync` is `async`: it is the one call that waits on the device. The others
/// touch the page cache or directory metadata and return in microseconds; a ring
/// implementation may still submit them and wait. All paths are absolute.
public protocol FileIO: Sendable {
    /// `open(2)`; returns the descriptor.
    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32
    func close(_ fd: Int32)
    /// Writes all of `bytes` at `offset` (retrying short writes).
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws
    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int
    /// Makes the file's data and size (for a directory, its entries) durable:
    /// `fdatasync(2)`.
    func sync(_ fd: Int32) async throws
    /// Makes everything written to the filesystem holding `fd` durable in one call:
    /// `syncfs(2)`. Group commit uses it for message bodies (see `BodySync`).
    func syncFilesystem(_ fd: Int32) async throws
    func truncate(_ fd: Int32, to length: Int64) throws
    func size(_ fd: Int32) throws -> Int64
    /// `rename(2)`: atomically replaces `to`.
    func rename(_ from: String, _ to: String) throws
    /// `link(2)`: a second name for the same inode (how COPY shares a body).
    func link(_ from: String, _ to: String) throws
    /// `unlink(2)`; a missing file is not an error.
    func unlink(_ path: String) throws
    /// `mkdir(2)`; an existing directory is not an error.
    func makeDirectory(_ path: String) throws
    /// Names in a directory, without `.` and `..`; empty if it does not exist.
    func listDirectory(_ path: String) throws -> [String]
    func removeDirectory(_ path: String) throws
    func fileExists(_ path: String) -> Bool
    /// Modification time in seconds since the epoch.
    func modificationTime(_ path: String) throws -> Int64
    func setModificationTime(_ path: String, seconds: Int64) throws
}

extension FileIO {
    /// Reads a whole file into memory.
    public func readFile(_ path: String) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        defer { close(fd) }
        let length = Int(try size(fd))
        var done = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            while done < length {
                let n = try read(fd, into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[done...]), at: Int64(done))
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        return bytes
    }

    /// Writes a file so that it is either wholly there or not at all: a temp file,
    /// fsync, rename, fsync of the directory.
    public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) async throws {
        let temp = path + ".tmp"
        let fd = try open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        do {
            try bytes.withUnsafeBytes { try write(fd, $0, at: 0) }
            try await sync(fd)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try rename(temp, path)
        try await syncDirectory(of: path)
    }

    /// Makes a directory entry change (create, rename, unlink) durable.
    public func syncDirectory(of path: String) async throws {
        let directory = path.directoryPart
        let fd = try open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
        defer { close(fd) }
        try await sync(fd)
    }

    /// Creates a directory and any missing parents.
    public func makeDirectories(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            try makeDirectory(current)
        }
    }

    /// Removes a directory tree; used for deleted mailboxes.
    public func removeTree(_ path: String) throws {
        for name in try listDirectory(path) {
            let child = path + "/" + name
            if (try? listDirectory(child)) != nil, isDirectory(child) {
                try removeTree(child)
            } else {
                try unlink(child)
            }
        }
        try removeDirectory(path)
    }

    func isDirectory(_ path: String) -> Bool {
        guard let fd = try? open(path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0) else { return false }
        close(fd)
        return true
    }
}

extension String {
    /// Everything before the last `/`.
    var directoryPart: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
