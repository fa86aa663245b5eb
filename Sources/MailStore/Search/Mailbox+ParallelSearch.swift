extension Mailbox {
    /// SEARCH / UID SEARCH over `view`, evaluated off the caller's thread: the
    /// view's rows are split into chunks that `scheduler` runs in parallel on its
    /// own threads, whatever executor the caller prefers (a shard's
    /// session awaits this while its shard serves other sessions). The answer is
    /// `search(_:in:)`'s: the UIDs of the view's matching messages, ascending.
    ///
    /// The view is an immutable snapshot, so messages appended, flagged or
    /// expunged meanwhile change nothing in the answer; a body that compaction
    /// moved meanwhile is read where it now is.
    public func search(_ key: SearchKey, in view: MailboxView, on scheduler: SearchScheduler) async -> [UID] {
        let readsMessages = key.needsText
        let chunks = scheduler.chunks(count: view.count, readsMessages: readsMessages)
        if chunks.count <= 1 {
            return await Task(executorPreference: scheduler.threads) {
                await scheduler.run(readsMessages: readsMessages) { self.searchRows(key, in: view, rows: 0..<view.count) }
            }.value
        }
        return await withTaskGroup(of: (Int, [UID]).self) { group in
            for (number, rows) in chunks.enumerated() {
                // Child tasks inherit the caller's executor preference (a shard's):
                // name the global one, or the chunks would run on the shard thread.
                group.addTask(executorPreference: scheduler.threads) {
                    (number, await scheduler.run(readsMessages: readsMessages) { self.searchRows(key, in: view, rows: rows) })
                }
            }
            var found = [[UID]](repeating: [], count: chunks.count)
            for await (number, uids) in group { found[number] = uids }
            return found.flatMap { $0 }
        }
    }
}
