import CURing

/// Every tunable of the shard runtime, with its default. The runtime never reads the
/// environment itself: the configuration layer maps `MAILSHARD_*` keys onto these
/// fields (Tuning/README.md lists the names) and hands the struct to `ShardRuntime`.
public struct RuntimeSettings: Sendable, Equatable {
    /// Shards (threads, each with its own io_uring). `MAILSHARD_SHARDS`; default: online CPUs.
    public var shards: Int
    /// Submission queue entries per ring (the completion queue gets four times as many).
    /// `MAILSHARD_RING_ENTRIES`.
    public var ringEntries: Int
    /// Bytes in one provided receive buffer. `MAILSHARD_RECV_BUFFER_SIZE`.
    public var receiveBufferSize: Int
    /// Provided receive buffers per shard, a power of two. `MAILSHARD_RECV_BUFFER_COUNT`.
    public var receiveBufferCount: Int
    /// A single outgoing buffer at least this large goes out with SEND_ZC; 0 turns
    /// zero-copy sends off. `MAILSHARD_SEND_ZC_THRESHOLD`.
    public var sendZeroCopyThreshold: Int
    /// Pin shard `i` to CPU `i % online CPUs` (and its io-wq workers with it).
    /// `MAILSHARD_PIN_THREADS`.
    public var pinThreads: Bool
    /// Bytes queued for one connection before a writer waits. `MAILSHARD_MAX_OUTPUT_BYTES`.
    public var maxOutputBytesPerConnection: Int
    /// A connection whose queued output makes no progress this long is dropped.
    /// `MAILSHARD_STALLED_PEER_TIMEOUT` (seconds).
    public var stalledPeerTimeout: Duration
    /// The read chunk when a file range is copied through user space (a stream layer
    /// such as TLS, or no splice pipe free). `MAILSHARD_SPLICE_CHUNK`.
    public var spliceChunkSize: Int
    /// Size a pooled splice pipe is grown to (F_SETPIPE_SZ) for a step with more to move
    /// than its idle 64 KiB, and so the most one splice pair moves file → pipe →
    /// socket; the pipe is shrunk back when returned. Each pair is a trip through the
    /// shard's ring between io-wq workers, so a large body costs far less with large
    /// pipes. `MAILSHARD_SPLICE_PIPE_SIZE`.
    public var splicePipeSize: Int
    /// Splice pipes each shard may hold, lent to connections one splice step at a time;
    /// a step that finds them all lent out reads and sends bytes instead. 0 turns
    /// splicing off. `MAILSHARD_SPLICE_PIPES`.
    public var splicePipesPerShard: Int
    /// A file range of at most this many bytes whose pages are all in the page cache
    /// is sent by sendfile(2) on the shard thread (socket made non-blocking), waiting
    /// on the ring only when the socket is full; larger ranges, ranges not cached, and
    /// every range with 0 go by the splice chain (io-wq). `MAILSHARD_INLINE_FILE_SEND_LIMIT`.
    public var inlineFileSendLimit: Int
    /// Listen backlog of each shard's listening socket. `MAILSHARD_LISTEN_BACKLOG`.
    public var listenBacklog: Int
    /// Jobs a shard runs before it goes back to its ring for I/O.
    /// `MAILSHARD_JOBS_PER_TURN`.
    public var jobsPerTurn: Int
    /// Connections use io_uring registered files (direct descriptors) instead of
    /// process descriptors; falls back to ordinary ones when the kernel refuses.
    /// `MAILSHARD_FIXED_FILES`.
    public var fixedFiles: Bool
    /// Slots in each shard's registered file table, never more than RLIMIT_NOFILE (the
    /// kernel's bound per table); 0 means min(RLIMIT_NOFILE, 65,536).
    /// `MAILSHARD_FIXED_FILE_SLOTS`.
    public var fixedFileSlots: Int
    /// TCP congestion control of accepted connections (TCP_CONGESTION on each listening
    /// socket, which the sockets it accepts inherit), e.g. "cubic"; nil keeps the
    /// system's default (net.ipv4.tcp_congestion_control). Why it is here: with BBR
    /// and no fq qdisc the kernel paces each socket itself with an hrtimer; over
    /// loopback that timer (tcp_pace_kick) held back part of about one 100 KiB body
    /// FETCH in one, and cubic cut the server's CPU per FETCH by a fifth
    /// (Benchmarks/results/load-bodies.md). `MAILSHARD_TCP_CONGESTION`.
    public var tcpCongestionControl: String?

    public init(
        shards: Int = RuntimeSettings.onlineCPUs,
        ringEntries: Int = 512,
        receiveBufferSize: Int = 16 * 1024,
        receiveBufferCount: Int = 256,
        sendZeroCopyThreshold: Int = 64 * 1024,
        pinThreads: Bool = true,
        maxOutputBytesPerConnection: Int = 1024 * 1024,
        stalledPeerTimeout: Duration = .seconds(60),
        spliceChunkSize: Int = 64 * 1024,
        splicePipesPerShard: Int = 128,
        splicePipeSize: Int = 1024 * 1024,
        inlineFileSendLimit: Int = 1024 * 1024,
        listenBacklog: Int = 1024,
        jobsPerTurn: Int = 4096,
        fixedFiles: Bool = true,
        fixedFileSlots: Int = 0,
        tcpCongestionControl: String? = nil
    ) {
        self.shards = shards
        self.ringEntries = ringEntries
        self.receiveBufferSize = receiveBufferSize
        self.receiveBufferCount = receiveBufferCount
        self.sendZeroCopyThreshold = sendZeroCopyThreshold
        self.pinThreads = pinThreads
        self.maxOutputBytesPerConnection = maxOutputBytesPerConnection
        self.stalledPeerTimeout = stalledPeerTimeout
        self.spliceChunkSize = spliceChunkSize
        self.splicePipesPerShard = splicePipesPerShard
        self.splicePipeSize = splicePipeSize
        self.inlineFileSendLimit = inlineFileSendLimit
        self.listenBacklog = listenBacklog
        self.jobsPerTurn = jobsPerTurn
        self.fixedFiles = fixedFiles
        self.fixedFileSlots = fixedFileSlots
        self.tcpCongestionControl = tcpCongestionControl
    }

    /// CPUs online now (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
    public static var onlineCPUs: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The settings with every value forced into the range the runtime can use.
    var normalized: RuntimeSettings {
        var settings = self
        settings.shards = max(1, shards)
        settings.ringEntries = min(32768, max(8, ringEntries))
        settings.receiveBufferSize = min(1 << 20, max(512, receiveBufferSize))
        var count = 1
        while count < receiveBufferCount && count < 32768 { count <<= 1 }
        settings.receiveBufferCount = max(8, count)
        settings.sendZeroCopyThreshold = max(0, sendZeroCopyThreshold)
        settings.maxOutputBytesPerConnection = max(4096, maxOutputBytesPerConnection)
        settings.spliceChunkSize = min(1 << 20, max(4096, spliceChunkSize))
        settings.splicePipesPerShard = min(65536, max(0, splicePipesPerShard))
        settings.splicePipeSize = min(1 << 20, max(4096, splicePipeSize))
        settings.inlineFileSendLimit = max(0, inlineFileSendLimit)
        settings.listenBacklog = max(16, listenBacklog)
        settings.jobsPerTurn = max(16, jobsPerTurn)
        settings.fixedFileSlots = min(1 << 20, max(0, fixedFileSlots))
        if settings.tcpCongestionControl?.isEmpty == true { settings.tcpCongestionControl = nil }
        return settings
    }
}
