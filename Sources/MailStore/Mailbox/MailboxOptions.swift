/// How durable a write is when it is acknowledged.
public enum Durability: Sendable, Equatable {
    /// Acknowledged after fsync (group commit). The default, and the only mode
    /// that survives power loss.
    case durable
    /// Acknowledged after the write reaches the page cache, with no fsync at all.
    /// Survives a process crash, not a machine crash. For benchmarks and bulk
    /// imports that are re-run on failure; never the default.
    case relaxed
}

/// How a new message's body is made durable before its journal record is written
/// (the order that guarantees a record never names a body that is not on disk).
public enum BodySync: Sendable, Equatable {
    /// One `syncfs` covers the bodies of every writer waiting at that moment, across
    /// all mailboxes: a few device flushes for many concurrent appends. Best on a
    /// filesystem dedicated to mail; it also flushes unrelated dirty data there.
    case filesystem
    /// One `fdatasync` per body: costs a flush per message, touches nothing else.
    case perFile
}

/// Settings of the store, read once by whoever opens it.
public struct StoreOptions: Sendable {
    public var durability: Durability
    public var bodySync: BodySync
    /// Messages up to this size are written into the journal and stay there (the
    /// journal becomes a pack, see `BodyLocation`): an append costs one shared
    /// journal sync and creates no file. Larger ones get a file of their own,
    /// synced before their record. 0 gives every message its own file.
    public var journaledBodyLimit: Int
    /// Parses messages at append time; the MIME module's analyzer in production.
    public var analyzer: any MessageAnalyzer
    /// Compact a mailbox's journal into its snapshot once the journal passes this
    /// size (or half the snapshot's, whichever is larger).
    public var compactionThreshold: Int
    /// Quota given to every user.
    public var quota: QuotaLimits
    /// Events buffered per change subscriber before the oldest are dropped.
    public var eventBufferLimit: Int
    /// The memory all mailboxes' header caches share, and when an unused one goes.
    public var headerCacheBudget: HeaderCacheBudget
    /// The file operations; `PosixFileIO` unless the server routes them through a ring.
    public var io: any FileIO

    public init(
        durability: Durability = .durable,
        bodySync: BodySync = .perFile,
        journaledBodyLimit: Int = 128 << 10,
        analyzer: any MessageAnalyzer = MIMEMessageAnalyzer(),
        compactionThreshold: Int = 16 << 20,
        quota: QuotaLimits = .unlimited,
        eventBufferLimit: Int = 4096,
        headerCacheBudget: HeaderCacheBudget = HeaderCacheBudget(),
        io: any FileIO = PosixFileIO()
    ) {
        self.durability = durability
        self.bodySync = bodySync
        self.journaledBodyLimit = journaledBodyLimit
        self.analyzer = analyzer
        self.compactionThreshold = compactionThreshold
        self.quota = quota
        self.eventBufferLimit = eventBufferLimit
        self.headerCacheBudget = headerCacheBudget
        self.io = io
    }
}
