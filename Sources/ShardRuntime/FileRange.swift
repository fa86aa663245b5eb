import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A byte range of an open file to send on a connection (a message body, say).
///
/// Without an `owner`, the connection duplicates the descriptor when the write is
/// queued, so the caller may close its own descriptor as soon as `write` returns.
/// With one, the connection holds the owner (which keeps `descriptor` open for as
/// long as it lives) until the range is sent, and uses the descriptor as it is: no
/// `dup` and `close` per range.
public struct FileRange: Sendable, Equatable {
    public var descriptor: Int32
    public var offset: UInt64
    public var count: Int
    /// The object that keeps `descriptor` open while it lives, or nil.
    public var owner: (any AnyObject & Sendable)?

    public init(descriptor: Int32, offset: UInt64, count: Int, owner: (any AnyObject & Sendable)? = nil) {
        self.descriptor = descriptor
        self.offset = offset
        self.count = count
        self.owner = owner
    }

    public static func == (left: FileRange, right: FileRange) -> Bool {
        left.descriptor == right.descriptor && left.offset == right.offset && left.count == right.count
            && left.owner.map(ObjectIdentifier.init) == right.owner.map(ObjectIdentifier.init)
    }
}

/// A queued file range being moved to the socket: by sendfile on the shard thread
/// (cached and small enough), file → pipe → socket by splice, or, in a step that
/// finds no splice pipe free, file → `stage` → socket by read and send. Either owns `descriptor` (a dup of the caller's) and closes it when done or
/// dropped, or holds the range's `owner`, which keeps the descriptor open.
final class FileSource {
    let descriptor: Int32
    /// Keeps `descriptor` open; nil when this source owns (and closes) it.
    private let owner: (any AnyObject & Sendable)?
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
    /// Whether the range goes inline (Connection+InlineFileOutput): decided at its
    /// first step (nil before) from its size and whether its pages were all cached.
    var goesInline: Bool?
    /// The socket was full (a non-blocking send said EAGAIN): the next step waits
    /// for POLLOUT on the ring first.
    var awaitsWritable = false
    /// The range's first inline sendfile is done: later ones are not cut at the first
    /// segment's page boundary (Connection+InlineFileOutput).
    var firstSegmentSent = false
    /// The range was offered to the one-splice path with its head and tail
    /// (Connection+WholeResponse); never offered twice.
    var offeredWhole = false

    /// A source that owns `descriptor` (a dup of `range.descriptor`).
    init(descriptor: Int32, range: FileRange) {
        self.descriptor = descriptor
        owner = nil
        nextOffset = range.offset
        unread = range.count
    }

    /// A source using `range.descriptor`, kept open by `range.owner`.
    init(owned range: FileRange) {
        precondition(range.owner != nil, "a borrowed descriptor needs the owner that keeps it open")
        descriptor = range.descriptor
        owner = range.owner
        nextOffset = range.offset
        unread = range.count
    }

    var isDone: Bool { unread == 0 && inPipe == 0 && staged == stagedSent }

    deinit {
        if owner == nil { close(descriptor) }
    }
}
