/// Evaluates a `SearchKey` over one `MailboxView`, row by row. Keys answered by
/// the index are evaluated first; a message file is mapped only when a text key
/// still decides the outcome, and at most once per message.
struct SearchEvaluator {
    let view: MailboxView
    let analyzer: any MessageAnalyzer
    /// Reads the message of a row of the view for text keys; nil if it vanished
    /// meanwhile (no match).
    let openMessage: (_ row: Int) -> MessageFile?
    private let sequenceSets: [[SequenceRange]: UIDSet]
    private let uidSets: [[SequenceRange]: UIDSet]
    /// The analyzer's matcher for each text key, prepared once.
    private let matchers: [TextSearchKey: TextMatcher]
    private let onlyMatcher: (key: TextSearchKey, matcher: TextMatcher)?
    /// The analyzer's matcher on header cache entries, for the text keys an entry
    /// answers (header keys on the fields the cache keeps).
    private let cacheMatchers: [TextSearchKey: HeaderCacheMatcher]
    private let onlyCacheMatcher: (key: TextSearchKey, matcher: HeaderCacheMatcher)?

    init(view: MailboxView, analyzer: any MessageAnalyzer, key: SearchKey, openMessage: @escaping (_ row: Int) -> MessageFile?) {
        self.view = view
        self.analyzer = analyzer
        self.openMessage = openMessage
        // Resolve each set once, not once per message.
        var sequenceSets: [[SequenceRange]: UIDSet] = [:], uidSets: [[SequenceRange]: UIDSet] = [:]
        Self.collectSets(key, view: view, sequenceSets: &sequenceSets, uidSets: &uidSets)
        self.sequenceSets = sequenceSets
        self.uidSets = uidSets
        var matchers: [TextSearchKey: TextMatcher] = [:]
        Self.collectTextKeys(key) { textKey in
            if matchers[textKey] == nil { matchers[textKey] = analyzer.matcher(for: textKey) }
        }
        self.matchers = matchers
        var cacheMatchers: [TextSearchKey: HeaderCacheMatcher] = [:]
        for textKey in matchers.keys {
            if let matcher = analyzer.headerCacheMatcher(for: textKey) { cacheMatchers[textKey] = matcher }
        }
        self.cacheMatchers = cacheMatchers
        onlyCacheMatcher = cacheMatchers.count == 1 ? cacheMatchers.first.map { (key: $0.key, matcher: $0.value) } : nil
        onlyMatcher = matchers.count == 1 ? matchers.first.map { (key: $0.key, matcher: $0.value) } : nil
    }

    private static func collectTextKeys(_ key: SearchKey, _ found: (TextSearchKey) -> Void) {
        switch key {
        case let .text(textKey): found(textKey)
        case let .not(inner): collectTextKeys(inner, found)
        case let .or(a, b):
            collectTextKeys(a, found)
            collectTextKeys(b, found)
        case let .and(keys):
            for inner in keys { collectTextKeys(inner, found) }
        default: break
        }
    }

    /// Whether some text key can be answered from the mailbox's header cache.
    var usesHeaderCache: Bool { !cacheMatchers.isEmpty }

    /// The UIDs of the messages matching `key`; header keys read `headerCache`
    /// entries where it has them, message files otherwise.
    func matchingUIDs(_ key: SearchKey, headerCache: HeaderCacheSnapshot? = nil) -> [UID] {
        matchingUIDs(key, rows: 0..<view.index.count, headerCache: headerCache)
    }

    /// The matching UIDs among `rows` of the view, ascending (a chunk of a
    /// parallel SEARCH: `Mailbox+ParallelSearch.swift`). Stops early, with the
    /// UIDs found so far, once the task running it is cancelled: it looks every
    /// `cancellationCheckRows` rows, so a chunk whose client has gone ends within
    /// that many messages rather than after all of them.
    func matchingUIDs(_ key: SearchKey, rows: Range<Int>, headerCache: HeaderCacheSnapshot? = nil) -> [UID] {
        let index = view.index
        var result: [UID] = []
        let ordered = key.cheapestFirst  // once, not per message: it builds arrays
        var cursor = headerCache?.cursor()  // rows ascend, so it steps forward
        let checkEvery = Self.cancellationCheckRows(readsMessages: key.needsText)
        // SEARCH FROM x and the like: one header key, straight from the entries.
        if case let .text(textKey) = ordered, let cached = cacheMatcher(for: textKey), var entries = cursor {
            Self.forEachRow(in: rows, checkingCancellationEvery: checkEvery) { row in
                let uid = index.uids[row]
                if let found = entries.withEntry(uid: uid, cached) {
                    if found { result.append(uid) }
                    return
                }
                var message: MessageFile?? = .none
                if matches(ordered, row: row, message: &message, cursor: &cursor) { result.append(uid) }
            }
            return result
        }
        Self.forEachRow(in: rows, checkingCancellationEvery: checkEvery) { row in
            var message: MessageFile?? = .none
            if matches(ordered, row: row, message: &message, cursor: &cursor) { result.append(index.uids[row]) }
        }
        return result
    }

    /// Calls `body` with each of `rows` in order, looking at the task's cancellation
    /// before every `checkEvery` of them; once it is cancelled the rest are skipped.
    @inline(__always)
    private static func forEachRow(in rows: Range<Int>, checkingCancellationEvery checkEvery: Int, _ body: (Int) -> Void) {
        for block in stride(from: rows.lowerBound, to: rows.upperBound, by: checkEvery) {
            if Task.isCancelled { return }
            for row in block..<min(block + checkEvery, rows.upperBound) { body(row) }
        }
    }

    /// Rows evaluated between two looks at the task's cancellation: a look costs
    /// a few nanoseconds, a message read a microsecond or more, a row the index
    /// answers alone about a nanosecond.
    static func cancellationCheckRows(readsMessages: Bool) -> Int {
        readsMessages ? 32 : 4096
    }

    private func matches(
        _ key: SearchKey, row: Int, message: inout MessageFile??, cursor: inout HeaderCacheCursor?
    ) -> Bool {
        let index = view.index
        let flags = SystemFlags(rawValue: index.flags[row])
        switch key {
        case .all: return true
        case let .sequenceSet(ranges): return sequenceSets[ranges]?.contains(index.uids[row]) ?? false
        case let .uid(ranges): return uidSets[ranges]?.contains(index.uids[row]) ?? false
        case .answered: return flags.contains(.answered)
        case .deleted: return flags.contains(.deleted)
        case .draft: return flags.contains(.draft)
        case .flagged: return flags.contains(.flagged)
        case .seen: return flags.contains(.seen)
        case .unanswered: return !flags.contains(.answered)
        case .undeleted: return !flags.contains(.deleted)
        case .undraft: return !flags.contains(.draft)
        case .unflagged: return !flags.contains(.flagged)
        case .unseen: return !flags.contains(.seen)
        case let .keyword(name): return hasKeyword(name, row: row)
        case let .unkeyword(name): return !hasKeyword(name, row: row)
        case let .before(day): return internalDay(row) < day
        case let .on(day): return internalDay(row) == day
        case let .since(day): return internalDay(row) >= day
        case let .sentBefore(day): return sentDay(row) < day
        case let .sentOn(day): return sentDay(row) == day
        case let .sentSince(day): return sentDay(row) >= day
        case let .larger(size): return Int(index.sizes[row]) > size
        case let .smaller(size): return Int(index.sizes[row]) < size
        case let .modSeq(value): return index.modSeqs[row] >= value
        case let .text(textKey):
            if cursor != nil, let cached = cacheMatcher(for: textKey),
               let found = cursor?.withEntry(uid: index.uids[row], cached) {
                return found
            }
            if case .none = message { message = .some(openMessage(row)) }
            guard case let .some(.some(file)) = message else { return false }
            return file.withBody { body in
                file.withStructure { structure in
                    matcher(for: textKey)(body, structure)
                }
            }
        case let .not(inner): return !matches(inner, row: row, message: &message, cursor: &cursor)
        case let .or(a, b):
            return matches(a, row: row, message: &message, cursor: &cursor)
                || matches(b, row: row, message: &message, cursor: &cursor)
        case let .and(keys): return keys.allSatisfy { matches($0, row: row, message: &message, cursor: &cursor) }
        }
    }

    /// The prepared matcher of `textKey`; the usual SEARCH has one text key,
    /// which is found without hashing it per message.
    private func matcher(for textKey: TextSearchKey) -> TextMatcher {
        if let onlyMatcher, onlyMatcher.key == textKey { return onlyMatcher.matcher }
        return matchers[textKey] ?? analyzer.matcher(for: textKey)
    }

    /// The header cache matcher of `textKey`, found like `matcher(for:)`.
    private func cacheMatcher(for textKey: TextSearchKey) -> HeaderCacheMatcher? {
        if let onlyCacheMatcher, onlyCacheMatcher.key == textKey { return onlyCacheMatcher.matcher }
        return cacheMatchers[textKey]
    }

    private func hasKeyword(_ name: String, row: Int) -> Bool {
        guard let bit = view.index.keywords.bit(of: name) else { return false }
        return view.index.keywordMasks[row] & (1 << UInt64(bit)) != 0
    }

    private func internalDay(_ row: Int) -> Int32 {
        InternalDate(secondsSinceEpoch: view.index.internalDates[row], zoneMinutes: view.index.zones[row]).localDay
    }

    private func sentDay(_ row: Int) -> Int32 {
        let day = view.index.sentDays[row]
        return day == MailboxIndex.noSentDay ? internalDay(row) : day
    }

    private static func collectSets(
        _ key: SearchKey, view: MailboxView,
        sequenceSets: inout [[SequenceRange]: UIDSet], uidSets: inout [[SequenceRange]: UIDSet]
    ) {
        switch key {
        case let .sequenceSet(ranges): sequenceSets[ranges] = view.uids(forSequenceSet: ranges) ?? clampedSequenceSet(ranges, view)
        case let .uid(ranges): uidSets[ranges] = view.uids(forUIDSet: ranges)
        case let .not(inner): collectSets(inner, view: view, sequenceSets: &sequenceSets, uidSets: &uidSets)
        case let .or(a, b):
            collectSets(a, view: view, sequenceSets: &sequenceSets, uidSets: &uidSets)
            collectSets(b, view: view, sequenceSets: &sequenceSets, uidSets: &uidSets)
        case let .and(keys):
            for inner in keys { collectSets(inner, view: view, sequenceSets: &sequenceSets, uidSets: &uidSets) }
        default: break
        }
    }

    /// SEARCH tolerates sequence numbers past the end (they match nothing).
    private static func clampedSequenceSet(_ ranges: [SequenceRange], _ view: MailboxView) -> UIDSet {
        let last = UInt32(view.count)
        let clamped = ranges.compactMap { range -> SequenceRange? in
            func value(_ bound: SequenceRange.Bound) -> UInt32 {
                if case let .number(n) = bound { return n }
                return last
            }
            let low = min(value(range.from), value(range.to)), high = min(max(value(range.from), value(range.to)), last)
            return low <= high && low >= 1 ? SequenceRange(low...high) : nil
        }
        return view.uids(forSequenceSet: clamped) ?? UIDSet()
    }
}

extension SearchKey {
    /// The same key with text keys moved to the end of every AND, so the index
    /// rules a message out before its file is touched.
    fileprivate var cheapestFirst: SearchKey {
        switch self {
        case let .and(keys):
            let reordered = keys.map(\.cheapestFirst)
            return .and(reordered.filter { !$0.needsText } + reordered.filter(\.needsText))
        case let .or(a, b): return .or(a.cheapestFirst, b.cheapestFirst)
        case let .not(key): return .not(key.cheapestFirst)
        default: return self
        }
    }
}

extension Mailbox {
    /// SEARCH / UID SEARCH: the UIDs of matching messages, ascending (map them to
    /// sequence numbers with the same view for plain SEARCH).
    public func search(_ key: SearchKey, in view: MailboxView? = nil) -> [UID] {
        let view = view ?? self.view()
        return searchRows(key, in: view, rows: 0..<view.count)
    }

    /// SEARCH over `rows` of `view`, with a reader of its own (one per chunk).
    func searchRows(_ key: SearchKey, in view: MailboxView, rows: Range<Int>) -> [UID] {
        let reader = messageReader(for: view)
        let evaluator = SearchEvaluator(view: view, analyzer: options.analyzer, key: key) { [self] row in
            // A body the view locates in a pack that compaction has since replaced
            // is found again through the current index (an expunged one is not).
            if let file = reader.message(atRow: row) { return try? file.get() }
            return try? openMessage(uid: view.index.uids[row])
        }
        let headerCache = evaluator.usesHeaderCache ? self.headerCache(for: view) : nil
        return evaluator.matchingUIDs(key, rows: rows, headerCache: headerCache)
    }
}
