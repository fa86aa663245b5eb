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

/// A queued file range being moved to the socket: file → pipe → socket by splice,
/// or, in a step that finds no splice pipe free, file → `stage` → socket by read and
/// send. Owns `descriptor` (a dup of the caller's) and closes it when done or dropped.
final class FileSource {
    let descriptor: Int32
    var nextOffset: UInt64
    /// Bytes not yet read from the file (into the pipe or the stage).
    var unread: Int
    /// Bytes sitting in the connection's splice pipe, not yet on the socket.
    var inPipe = 0
    /// Buffer of the copy path, allocated at its first use and kept for the range.
    var stage: RawBox?
    /// Bytes read into `stage`, of which the first `stagedSent` are on the socket.
    var staged = 0
    var stagedSent = 0

    init(descriptor: Int32, range: FileRange) {
        self.descriptor = descriptor
        nextOffset = range.offset
        unread = range.count
    }

    var isDone: Bool { unread == 0 && inPipe == 0 && staged == stagedSent }

    deinit { close(descriptor) }
}
