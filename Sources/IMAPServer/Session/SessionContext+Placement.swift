import ShardRuntime

extension SessionContext {
    /// The shard a session of `user`, accepted on `accepted`, continues on after
    /// login: its home shard unless that holds its share of the user's sessions
    /// (HomeShardPlacement). The session counts there until ``releaseSession(user:shard:)``.
    func placeSession(user: String, accepted: Shard) -> Shard {
        let home = runtime.shard(forKey: user)
        let index = placement.place(user: user, home: home.index, accepted: accepted.index)
        if index != home.index { moves.recordSpread() }
        return runtime.shards[index]
    }

    /// A logged-in session of `user` that lived on `shard` has ended.
    func releaseSession(user: String, shard: Shard) {
        placement.release(user: user, shard: shard.index)
    }
}
