extension Mailbox {
    /// The header cache of this mailbox, extended to the messages of `view` it
    /// lacks: built on first use by reading each message's cached structure and
    /// header once, then extended by the messages appended since (APPEND, COPY,
    /// MOVE), and squeezed when expunged messages make a quarter of it. Nil when
    /// the store's budget turns the cache off or the analyzer has no entry format.
    ///
    /// Messages it has no entry for (beyond the budget, or unreadable) are read
    /// from their files by the caller, as without a cache. A command that reads
    /// only `wanted` messages builds no more than `4 × wanted` entries (at least
    /// 256): a FETCH of one message in a large mailbox with no cache yet reads that
    /// one file rather than every file.
    public func headerCache(for view: MailboxView, wanted: Int = .max) -> HeaderCacheSnapshot? {
        let budget = options.headerCacheBudget
        guard budget.limit > 0, options.analyzer.makesHeaderCacheEntries else { return nil }
        let (snapshot, full) = headerCache.current()
        budget.touch(headerCache)
        let index = view.index
        let firstNew = index.firstRow(atOrAfter: snapshot.lastUID &+ 1)
        let squeeze = snapshot.count > index.count + index.count / 4 + 256
        let missing = index.count - firstNew
        let extend = !full && missing > 0 && missing <= max(256, wanted > Int.max / 4 ? Int.max : wanted * 4)
        guard squeeze || extend else { return snapshot }

        var chunks = squeeze ? Self.liveChunks(snapshot, in: index) : snapshot.chunks
        var nowFull = full
        if extend {
            let added = buildChunk(rows: firstNew..<index.count, view: view)
            let existing = chunks.reduce(0) { $0 + $1.memoryFootprint }
            if budget.admit(headerCache, bytes: existing + added.memoryFootprint) {
                chunks = HeaderCache.appending(added, to: chunks)
            } else {
                nowFull = true
            }
        }
        if nowFull || squeeze { _ = budget.admit(headerCache, bytes: chunks.reduce(0) { $0 + $1.memoryFootprint }) }
        if let installed = headerCache.install(chunks, over: snapshot, full: nowFull) { return installed }
        // Another reader installed (or the budget dropped the cache) meanwhile:
        // use what was built for this command, count what the cache holds now.
        let now = headerCache.current().snapshot
        if now.chunks.isEmpty { budget.release(headerCache) } else { _ = budget.admit(headerCache, bytes: now.memoryFootprint) }
        return HeaderCacheSnapshot(chunks: chunks, generation: snapshot.generation)
    }

    /// Entries for the messages at `rows` of `view`, read through one
    /// `MessageReader`.
    private func buildChunk(rows: Range<Int>, view: MailboxView) -> HeaderCacheChunk {
        let analyzer = options.analyzer
        let reader = messageReader(for: view)
        let index = view.index
        var builder = HeaderCacheChunkBuilder(capacity: rows.count)
        for row in rows {
            let file = try? reader.message(atRow: row)?.get()
            builder.add(index.uids[row]) { bytes in
                guard let file else { return }
                _ = file.withStructure { structure in
                    file.withBody { body in analyzer.appendHeaderCacheEntry(message: body, structure: structure, to: &bytes) }
                }
            }
        }
        return builder.chunk()
    }

    /// The chunks of `snapshot` without the messages `index` no longer has, as one chunk.
    private static func liveChunks(_ snapshot: HeaderCacheSnapshot, in index: MailboxIndex) -> [HeaderCacheChunk] {
        var builder = HeaderCacheChunkBuilder(capacity: index.count)
        var row = 0
        for chunk in snapshot.chunks {
            chunk.bytes.withUnsafeBytes { bytes in
                for position in 0..<chunk.count {
                    let uid = chunk.uids[position]
                    while row < index.count, index.uids[row] < uid { row += 1 }
                    guard row < index.count, index.uids[row] == uid else { continue }
                    builder.add(uid) { $0.append(contentsOf: bytes[chunk.entryRange(at: position)]) }
                }
            }
        }
        return builder.isEmpty ? [] : [builder.chunk()]
    }
}
