import Synchronization

extension Connection {
    /// Runs the rest of this connection's life in a new task on its shard (executor
    /// preference: the shard), tracked like the handler of an accepted connection:
    /// a shutdown waits for it, and the connection is closed when it returns. The
    /// caller, typically the handler that accepted the connection and moved it, may
    /// return at once; the runtime's close after that handler then leaves this
    /// connection alone.
    ///
    /// Why not continue in the accepting task: that task prefers the accepting
    /// shard, so every resumed read after a move would go there first and hop back
    /// (about six cross-shard hops per command); wrapping the rest in
    /// `withTaskExecutorPreference` fixes the routing but keeps the deeper frames in
    /// the long-lived task for life (about 2.5 KiB more per idle connection). A
    /// fresh task has neither cost, and the accepting task ends.
    public func handOver(_ handler: @escaping @Sendable (Connection) async -> Void) async {
        handedOver.store(true, ordering: .releasing)
        let shard = self.shard
        // Counted on its shard before the caller returns, so a shutdown never sees
        // neither task running.
        await withUnsafeContinuation { (registered: UnsafeContinuation<Void, Never>) in
            shard.execute {
                shard.runningHandlers += 1
                Task(executorPreference: shard) {
                    await handler(self)
                    await self.close()
                    shard.execute { shard.runningHandlers -= 1 }
                }
                registered.resume()
            }
        }
    }
}
