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

/// Settings of the store, read once by whoever opens it.
public struct StoreOptions: Sendable {
    public var durability: Durability
    /// Parses messages at append time; the MIME module's analyzer in production.
    public var analyzer: any MessageAnalyzer
    /// Compact a mailbox's journal into its snapshot once the journal passes this
    /// size (or half the snapshot's, whichever is larger).
    public var compactionThreshold: Int
    /// Quota given to every user.
    public var quota: QuotaLimits
    /// Events buffered per change subscriber before the oldest are dropped.
    public var eventBufferLimit: Int
    /// The file operations; `PosixFileIO` unless the server routes them through a ring.
    public var io: any FileIO

    public init(
        durability: Durability = .durable,
        analyzer: any MessageAnalyzer = PlainMessageAnalyzer(),
        compactionThreshold: Int = 4 << 20,
        quota: QuotaLimits = .unlimited,
        eventBufferLimit: Int = 4096,
        io: any FileIO = PosixFileIO()
    ) {
        self.durability = durability
        self.analyzer = analyzer
        self.compactionThreshold = compactionThreshold
        self.quota = quota
        self.eventBufferLimit = eventBufferLimit
        self.io = io
    }
}
