import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A byte range of an open file to send on a connection (a message body, say). The
/// connection duplicates the descriptor when the write is queued, so the caller may
/// close its own descriptor as soon as `write` returns.
public struct FileRange: Sendable, Equatable {
    public var descriptor: Int32
    public var offset: UInt64
    public var count: Int

    public init(descriptor: Int32, offset: UInt64, count: Int) {
        self.descriptor = descriptor
        self.offset = offset
        self.count = count
    }
}

/// A queued file range being moved to the socket: file → pipe → socket by splice.
/// Owns `descriptor` (a dup of the caller's) and closes it when done or dropped.
final class FileSource {
    let descriptor: Int32
    var nextOffset: UInt64
    /// Bytes not yet read from the file into the pipe.
    var unread: Int
    /// Bytes sitting in the pipe, not yet on the socket.
    var inPipe = 0

    init(descriptor: Int32, range: FileRange) {
        self.descriptor = descriptor
        nextOffset = range.offset
        unread = range.count
    }

    var isDone: Bool { unread == 0 && inPipe == 0 }

    deinit { close(descriptor) }
}

/// A pipe used as the splice middle: file → pipe → socket. Owned by one connection.
final class SplicePipe {
    let readEnd: Int32
    let writeEnd: Int32
    let capacity: Int

    init(capacity: Int) throws {
        var ends: [Int32] = [0, 0]
        guard mailshard_pipe_cloexec(&ends) == 0 else { throw SystemError("pipe2", code: errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
        let granted = mailshard_set_pipe_size(writeEnd, Int32(capacity))
        self.capacity = granted > 0 ? Int(granted) : 65536
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
