import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A file opened through a shard's ring. Reads, writes, fsync and close are ring
/// operations, so a slow disk parks the caller, never the shard thread. The value
/// may be used from any task; each operation runs on the shard that opened it.
public struct RingFile: Sendable {
    /// The file descriptor (for `FileRange`, `mmap`, ...). Owned: `close()` ends it.
    public let descriptor: Int32
    public let shard: Shard

    /// Opens `path` with `open(2)` flags (O_CLOEXEC is added) and `mode` for O_CREAT.
    public static func open(
        _ path: String, flags: Int32, mode: mode_t = 0o644, on shard: Shard
    ) async throws -> RingFile {
        let pathBytes = PathBox(path)
        let result = await shard.perform({ sqe in
            io_uring_prep_openat(sqe, AT_FDCWD, pathBytes.pointer, flags | Int32(O_CLOEXEC), mode)
        }, complete: { result, _ in
            _ = pathBytes
            return result
        }, cancelled: { -ECANCELED })
        if result == -ECANCELED { throw CancellationError() }
        guard result >= 0 else { throw SystemError("open \(path)", code: -result) }
        return RingFile(descriptor: result, shard: shard)
    }

    /// Reads up to `count` bytes at `offset`; fewer at end of file, none past it.
    public func read(at offset: UInt64, count: Int) async throws -> [UInt8] {
        let buffer = RawBox(count: count)
        let descriptor = self.descriptor
        let result = await shard.perform({ sqe in
            io_uring_prep_read(sqe, descriptor, buffer.pointer, UInt32(count), offset)
        }, complete: { result, _ -> FileReadOutcome in
            guard result >= 0 else { return .failed(result) }
            return .bytes(Array(UnsafeRawBufferPointer(start: buffer.pointer, count: Int(result))))
        }, cancelled: { .failed(-ECANCELED) })
        switch result {
        case .bytes(let bytes): return bytes
        case .failed(let code) where code == -ECANCELED: throw CancellationError()
        case .failed(let code): throw SystemError("read", code: -code)
        }
    }

    /// Writes all of `bytes` at `offset` (looping over short writes).
    public func write(_ bytes: [UInt8], at offset: UInt64) async throws {
        let buffer = RawBox(copying: bytes)
        var done = 0
        while done < bytes.count {
            let start = done
            let result = await shard.perform({ [descriptor] sqe in
                io_uring_prep_write(sqe, descriptor, buffer.pointer + start, UInt32(bytes.count - start), offset + UInt64(start))
            }, complete: { result, _ in
                _ = buffer
                return result
            }, cancelled: { -ECANCELED })
            if result == -ECANCELED { throw CancellationError() }
            guard result > 0 else { throw SystemError("write", code: result == 0 ? EIO : -result) }
            done += Int(result)
        }
    }

    /// Flushes the file's data (and with `dataOnly == false` its metadata) to disk.
    public func sync(dataOnly: Bool = false) async throws {
        let result = await shard.perform({ [descriptor] sqe in
            io_uring_prep_fsync(sqe, descriptor, dataOnly ? UInt32(IORING_FSYNC_DATASYNC) : 0)
        }, complete: { result, _ in result }, cancelled: { -ECANCELED })
        if result == -ECANCELED { throw CancellationError() }
        guard result >= 0 else { throw SystemError("fsync", code: -result) }
    }

    /// Closes the descriptor.
    public func close() async throws {
        let result = await shard.perform({ [descriptor] sqe in
            io_uring_prep_close(sqe, descriptor)
        }, complete: { result, _ in result }, cancelled: { -ECANCELED })
        guard result >= 0 || result == -ECANCELED else { throw SystemError("close", code: -result) }
    }
}

private enum FileReadOutcome: Sendable {
    case bytes([UInt8])
    case failed(Int32)
}

/// Heap bytes at a stable address for as long as a ring operation uses them.
final class RawBox: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(byteCount: max(1, count), alignment: 16)
    }

    init(copying bytes: [UInt8]) {
        count = bytes.count
        pointer = .allocate(byteCount: max(1, count), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
    }

    deinit { pointer.deallocate() }
}

/// A NUL-terminated path at a stable address for an open operation.
final class PathBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CChar>

    init(_ path: String) {
        pointer = strdup(path)
    }

    deinit { free(pointer) }
}
