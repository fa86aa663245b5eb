import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `FileIO` through plain system calls. `sync` runs `fdatasync` off the Swift
/// cooperative pool, on a serial Dispatch queue of its own (libdispatch backs those
/// with overcommit threads, so concurrent syncs really run concurrently instead of
/// queueing behind as many threads as there are cores); group commit relies on that.
public struct PosixFileIO: FileIO {

    public init() {}

    public func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let fd = Glibc.open(path, flags, mode_t(mode))
        guard fd >= 0 else { throw StoreError.io(operation: "open", path: path, errno: errno) }
        return fd
    }

    public func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "pwrite", path: "fd \(fd)", errno: errno)
            }
            done += n
        }
    }

    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer.baseAddress!, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw StoreError.io(operation: "pread", path: "fd \(fd)", errno: errno) }
        }
    }

    public func sync(_ fd: Int32) async throws {
        try await blocking("fdatasync", fd) { fdatasync(fd) }
    }

    public func syncFilesystem(_ fd: Int32) async throws {
        try await blocking("syncfs", fd) { SyncFS.call(fd) }
    }

    private func blocking(_ operation: String, _ fd: Int32, _ call: @escaping @Sendable () -> Int32) async throws {
        let result: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue(label: "mailstore.sync").async {
                let rc = call()
                continuation.resume(returning: rc == 0 ? 0 : errno)
            }
        }
        if result != 0 { throw StoreError.io(operation: operation, path: "fd \(fd)", errno: result) }
    }

    public func truncate(_ fd: Int32, to length: Int64) throws {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw StoreError.io(operation: "ftruncate", path: "fd \(fd)", errno: errno)
        }
    }

    public func size(_ fd: Int32) throws -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.io(operation: "fstat", path: "fd \(fd)", errno: errno) }
        return Int64(info.st_size)
    }

    public func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw StoreError.io(operation: "rename", path: from, errno: errno) }
    }

    public func link(_ from: String, _ to: String) throws {
        guard Glibc.link(from, to) == 0 else { throw StoreError.io(operation: "link", path: to, errno: errno) }
    }

    public func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 || errno == ENOENT else {
            throw StoreError.io(operation: "unlink", path: path, errno: errno)
        }
    }

    public func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw StoreError.io(operation: "mkdir", path: path, errno: errno)
        }
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw StoreError.io(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func removeDirectory(_ path: String) throws {
        guard rmdir(path) == 0 || errno == ENOENT else {
            throw StoreError.io(operation: "rmdir", path: path, errno: errno)
        }
    }

    public func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public func modificationTime(_ path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError.io(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_mtim.tv_sec)
    }

    public func setModificationTime(_ path: String, seconds: Int64) throws {
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else {
            throw StoreError.io(operation: "utimensat", path: path, errno: errno)
        }
    }
}

/// `syncfs(2)`, which Glibc's Swift module does not export (it is a GNU
/// extension): looked up once with `dlsym`. Invariant: the symbol, when found, is
/// glibc's `int syncfs(int)`, so the cast to that C function type is exact. Where
/// it is missing, `sync()` (every filesystem) keeps the guarantee at a higher cost.
enum SyncFS {
    private typealias Function = @convention(c) (Int32) -> Int32
    private static let function: Function? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    static func call(_ fd: Int32) -> Int32 {
        if let function { return function(fd) }
        sync()
        return 0
    }
}
