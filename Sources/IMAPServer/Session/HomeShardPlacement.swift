import Synchronization

/// Decides on which shard a session lives after login, and counts the live
/// sessions of each user on each shard to decide it.
///
/// A user's sessions go to the user's home shard (their mailbox writers live
/// there, so commands need no hop) until the home shard holds `homeShardSessions`
/// of them. Past that, a session goes to the shard holding the fewest of the
/// user's sessions, preferring the shard that accepted it when that one is among
/// the fewest (no move then). So a user with a handful of sessions keeps them all
/// at home, and a user with thousands (one mailbox watched by 10,000 IDLE
/// sessions) has them spread evenly: an APPEND's fan-out is then sent by every
/// core instead of one. Least-loaded rather than always staying where accepted,
/// because the spread is then exact whatever the kernel's accept hashing did,
/// and predictable (tests place two sessions of one user on different shards).
///
/// Every ``place(user:home:accepted:)`` must be matched by one
/// ``release(user:shard:)`` when that session ends (Session.serve does it on
/// every way out). Login and close take the lock once each; nothing else does.
final class HomeShardPlacement: Sendable {
    /// Sessions of one user the home shard takes before others are used; 0 means
    /// every session goes home (no spreading).
    let homeShardSessions: Int
    let shardCount: Int
    /// Live sessions per user, per shard index. A user with none has no entry.
    private let counts = Mutex<[String: [Int]]>([:])

    init(homeShardSessions: Int, shardCount: Int) {
        precondition(homeShardSessions >= 0 && shardCount >= 1)
        self.homeShardSessions = homeShardSessions
        self.shardCount = shardCount
    }

    /// The shard index for a new session of `user` whose home is `home` and which
    /// was accepted on `accepted`; the session is counted there from now on.
    func place(user: String, home: Int, accepted: Int) -> Int {
        counts.withLock { table in
            var perShard = table[user] ?? Array(repeating: 0, count: shardCount)
            let chosen = Self.choose(perShard, home: home, accepted: accepted, homeShardSessions: homeShardSessions)
            perShard[chosen] += 1
            table[user] = perShard
            return chosen
        }
    }

    /// A session of `user` placed (or since moved) to `shard` has ended.
    func release(user: String, shard: Int) {
        counts.withLock { table in
            guard var perShard = table[user], perShard[shard] > 0 else {
                assertionFailure("release of \(user) on shard \(shard) without a placed session")
                return
            }
            perShard[shard] -= 1
            table[user] = perShard.allSatisfy { $0 == 0 } ? nil : perShard
        }
    }

    /// Live sessions of `user` per shard index (all zero for none).
    func sessions(of user: String) -> [Int] {
        counts.withLock { $0[user] } ?? Array(repeating: 0, count: shardCount)
    }

    /// Users with at least one live session.
    var userCount: Int { counts.withLock { $0.count } }

    private static func choose(_ perShard: [Int], home: Int, accepted: Int, homeShardSessions: Int) -> Int {
        if homeShardSessions == 0 || perShard[home] < homeShardSessions { return home }
        let fewest = perShard.min()!
        if perShard[accepted] == fewest { return accepted }
        return perShard.firstIndex(of: fewest)!
    }
}
