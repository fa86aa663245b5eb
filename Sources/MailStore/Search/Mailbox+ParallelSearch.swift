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
    ///
    /// Cancelling the calling task stops the search: waiting chunks leave the
    /// scheduler's queue at once, running ones end at their next look
    /// (`SearchEvaluator.cancellationCheckRows`), and this throws
    /// `CancellationError` with no answer, partial or not.
    public func search(
        _ key: SearchKey, in view: MailboxView, on scheduler: SearchScheduler
    ) async throws(CancellationError) -> [UID] {
        let readsMessages = key.needsText
        let chunks = scheduler.chunks(count: view.count, readsMessages: readsMessages)
        let found: [UID]
        if chunks.count <= 1 {
            let search = Task(executorPreference: scheduler.threads) {
                try await scheduler.run(readsMessages: readsMessages) { self.searchRows(key, in: view, rows: 0..<view.count) }
            }
            // An unstructured task: the caller's cancellation must be passed on.
            let result = await withTaskCancellationHandler { await search.result } onCancel: { search.cancel() }
            found = try result.mapError { _ in CancellationError() }.get()
        } else {
            found = try await searchChunks(key, in: view, chunks: chunks, on: scheduler)
        }
        // A chunk cut short returned what it had found so far: never an answer.
        if Task.isCancelled { throw CancellationError() }
        return found
    }

    private func searchChunks(
        _ key: SearchKey, in view: MailboxView, chunks: [Range<Int>], on scheduler: SearchScheduler
    ) async throws(CancellationError) -> [UID] {
        let readsMessages = key.needsText
        let outcome = await withTaskGroup(of: (Int, [UID])?.self) { group -> [[UID]]? in
            for (number, rows) in chunks.enumerated() {
                // Child tasks inherit the caller's executor preference (a shard's):
                // name the search threads, or the chunks would run on the shard thread.
                group.addTask(executorPreference: scheduler.threads) {
                    guard let uids = try? await scheduler.run(readsMessages: readsMessages, {
                        self.searchRows(key, in: view, rows: rows)
                    }) else { return nil }
                    return (number, uids)
                }
            }
            var found = [[UID]](repeating: [], count: chunks.count)
            for await chunk in group {
                guard let (number, uids) = chunk else {
                    group.cancelAll()
                    return nil
                }
                found[number] = uids
            }
            return found
        }
        guard let outcome else { throw CancellationError() }
        return outcome.flatMap { $0 }
    }
}
