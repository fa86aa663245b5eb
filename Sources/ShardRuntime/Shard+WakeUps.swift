/// How often work reached a shard from outside its own thread. Every such arrival
/// takes the remote queue's lock, and when the shard was waiting in the kernel it
/// costs an eventfd write and a context switch: the hops a session on its home shard
/// should not need. Counted since start; read them twice and subtract.
public struct ShardWakeUps: Sendable, Equatable {
    /// Jobs and calls queued by another shard's thread (a cross-shard hop).
    public var fromShards: Int
    /// Jobs and calls queued by a thread that is no shard (the global pool, the
    /// main thread, a Dispatch thread).
    public var fromOtherThreads: Int
    /// Of those, the ones that found the shard waiting and wrote its eventfd.
    public var eventfdWrites: Int

    public init(fromShards: Int = 0, fromOtherThreads: Int = 0, eventfdWrites: Int = 0) {
        self.fromShards = fromShards
        self.fromOtherThreads = fromOtherThreads
        self.eventfdWrites = eventfdWrites
    }

    /// The counts that happened between `earlier` and `self`.
    public func since(_ earlier: ShardWakeUps) -> ShardWakeUps {
        ShardWakeUps(
            fromShards: fromShards - earlier.fromShards,
            fromOtherThreads: fromOtherThreads - earlier.fromOtherThreads,
            eventfdWrites: eventfdWrites - earlier.eventfdWrites)
    }

    static func + (lhs: ShardWakeUps, rhs: ShardWakeUps) -> ShardWakeUps {
        ShardWakeUps(
            fromShards: lhs.fromShards + rhs.fromShards,
            fromOtherThreads: lhs.fromOtherThreads + rhs.fromOtherThreads,
            eventfdWrites: lhs.eventfdWrites + rhs.eventfdWrites)
    }
}

extension Shard {
    /// Work that reached this shard from other threads since start (any thread may ask).
    public var wakeUps: ShardWakeUps {
        ShardWakeUps(
            fromShards: remoteFromShards.load(ordering: .relaxed),
            fromOtherThreads: remoteFromOtherThreads.load(ordering: .relaxed),
            eventfdWrites: wakeWrites.load(ordering: .relaxed))
    }
}

extension ShardRuntime {
    /// ``Shard/wakeUps`` summed over every shard.
    public var wakeUps: ShardWakeUps {
        shards.reduce(ShardWakeUps()) { $0 + $1.wakeUps }
    }
}
