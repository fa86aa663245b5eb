import Auth
import Logging
import MailStore
import ShardRuntime
import Synchronization

/// What every session of a server shares: the store, the user directory, the
/// failed-login accounting, the shard runtime (for home shards) and the settings.
/// Immutable apart from the move statistics, so sessions on any shard read it freely.
final class SessionContext: Sendable {
    let settings: ServerSettings
    let store: MailStore
    let authenticator: Authenticator
    let throttle: LoginThrottle
    let runtime: ShardRuntime
    let logger: Logger
    /// What moving sessions to their home shard has cost so far.
    let moves = HomeShardMoveStatistics()
    /// Where long SEARCHes run, off the shards: `search.workers` chunks at once
    /// (by default as many as there are shards, one per core, so searches never
    /// hold more of the machine than the shards themselves), `search.chunk-messages`
    /// messages each (Session+Search.swift).
    let searchScheduler: SearchScheduler
    /// How many of those searches one user runs at once (`search.per-user`).
    let searchAdmission: SearchAdmission
    /// Where each user's sessions live, and the choice for a new one.
    let placement: HomeShardPlacement
    /// The server's certificate, when one is configured (STARTTLS, implicit TLS).
    let certificate: ServerCertificate?

    init(
        settings: ServerSettings, store: MailStore, authenticator: Authenticator, throttle: LoginThrottle,
        runtime: ShardRuntime, logger: Logger, certificate: ServerCertificate? = nil
    ) {
        self.settings = settings
        self.certificate = certificate
        self.store = store
        self.authenticator = authenticator
        self.throttle = throttle
        self.runtime = runtime
        self.logger = logger
        let searchWorkers = settings.searchWorkers == 0 ? runtime.shards.count : settings.searchWorkers
        searchScheduler = SearchScheduler(workers: searchWorkers, chunkRows: settings.searchChunkMessages)
        searchAdmission = SearchAdmission(limit: settings.searchPerUser)
        placement = HomeShardPlacement(homeShardSessions: settings.homeShardSessions, shardCount: runtime.shards.count)
    }
}

/// Counts and times the moves of sessions to their user's home shard (or the shard
/// HomeShardPlacement chose) after login: from the call to `Connection.move(to:)`
/// until the session runs on the target; and counts the sessions that stayed.
public final class HomeShardMoveStatistics: Sendable {
    public struct Summary: Sendable, Equatable {
        /// Sessions that moved.
        public var moves: Int
        /// Sessions already on the shard chosen for them at login.
        public var stays: Int
        /// Sessions placed off their home shard because it held its share of the
        /// user's sessions (`home-shard-sessions`); also counted in `moves` or `stays`.
        public var spread: Int
        public var total: Duration
        public var longest: Duration

        public var average: Duration { moves == 0 ? .zero : total / moves }
    }

    private let state = Mutex(Summary(moves: 0, stays: 0, spread: 0, total: .zero, longest: .zero))

    func recordMove(_ duration: Duration) {
        state.withLock { summary in
            summary.moves += 1
            summary.total += duration
            summary.longest = max(summary.longest, duration)
        }
    }

    func recordStay() {
        state.withLock { $0.stays += 1 }
    }

    func recordSpread() {
        state.withLock { $0.spread += 1 }
    }

    public var summary: Summary { state.withLock { $0 } }
}
