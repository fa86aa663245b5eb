import Synchronization

/// The memory every mailbox's header cache may use together, and how long an
/// unused cache lives. Shared by all mailboxes opened with the same `StoreOptions`
/// (the store's options carry one).
///
/// Eviction: a cache that would push the total past `limit` first evicts the
/// least recently used other caches until it fits; a mailbox whose cache alone
/// would pass the limit stops growing there (the rest of its messages are read
/// from their files). A cache not used for `idleTimeout` is dropped by a sweeper
/// task that runs only while some cache holds memory, so an idle server keeps none.
public final class HeaderCacheBudget: Sendable {
    /// Bytes of header cache across all mailboxes; 0 turns the cache off.
    public let limit: Int
    /// How long a mailbox's cache survives without being read.
    public let idleTimeout: Duration

    private struct Member {
        weak var cache: HeaderCache?
        var bytes: Int
        var lastUse: ContinuousClock.Instant
    }

    private struct State {
        var members: [ObjectIdentifier: Member] = [:]
        var total = 0
        var sweeping = false
    }

    private let state = Mutex(State())

    public init(limit: Int = 256 << 20, idleTimeout: Duration = .seconds(120)) {
        self.limit = limit
        self.idleTimeout = idleTimeout
    }

    /// Bytes held by all caches, as last reported.
    public var totalBytes: Int { state.withLock { $0.total } }

    /// Notes a read of `cache`.
    func touch(_ cache: HeaderCache) {
        state.withLock { state in
            state.members[ObjectIdentifier(cache)]?.lastUse = .now
        }
    }

    /// Asks to let `cache` hold `bytes` in all; evicts other caches, least
    /// recently used first, to make room. False when `bytes` alone passes the limit.
    func admit(_ cache: HeaderCache, bytes: Int) -> Bool {
        guard bytes <= limit else { return false }
        var victims: [HeaderCache] = []
        let startSweeper = state.withLock { state -> Bool in
            let id = ObjectIdentifier(cache)
            let previous = state.members[id]?.bytes ?? 0
            state.total += bytes - previous
            state.members[id] = Member(cache: cache, bytes: bytes, lastUse: .now)
            while state.total > limit {
                guard let (victimID, victim) = state.members.filter({ $0.key != id }).min(by: { $0.value.lastUse < $1.value.lastUse })
                else { break }
                state.members[victimID] = nil
                state.total -= victim.bytes
                if let dropped = victim.cache { victims.append(dropped) }
            }
            guard !state.sweeping else { return false }
            state.sweeping = true
            return true
        }
        for victim in victims { victim.drop() }
        if startSweeper { startSweeping() }
        return true
    }

    /// Forgets `cache` (dropped, or its mailbox gone).
    func release(_ cache: HeaderCache) {
        state.withLock { state in
            if let member = state.members.removeValue(forKey: ObjectIdentifier(cache)) { state.total -= member.bytes }
        }
    }

    /// Drops the caches idle for `idleTimeout` as of `now`; returns whether any
    /// cache is left.
    @discardableResult
    func dropIdle(now: ContinuousClock.Instant = .now) -> Bool {
        var victims: [HeaderCache] = []
        let left = state.withLock { state -> Bool in
            for (id, member) in state.members where member.cache == nil || now - member.lastUse >= idleTimeout {
                state.members[id] = nil
                state.total -= member.bytes
                if let cache = member.cache { victims.append(cache) }
            }
            if state.members.isEmpty { state.sweeping = false }
            return !state.members.isEmpty
        }
        for victim in victims { victim.drop() }
        return left
    }

    private func startSweeping() {
        let period = idleTimeout / 4
        Task.detached { [self] in
            while true {
                try? await Task.sleep(for: period)
                if !dropIdle() { return }
            }
        }
    }
}
