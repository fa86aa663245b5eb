import IMAPCodec

/// Seeds, runs and summarizes the workload `options` name.
public enum LoadRunner {
    public static func run(_ options: LoadOptions) -> LoadResult {
        let session: Session
        do {
            session = try Session(options: options)
        } catch {
            var result = LoadResult(options: options, statistics: RunStatistics(), seconds: 0)
            result.fatal = "cannot set up TLS: \(error)"
            return result
        }
        let seeder = Seeder(session: session)
        if options.seedOnly { return seedOnly(options, seeder: seeder) }
        do throws(LoadError) {
            switch options.workload {
            case .mix:
                let workload = MixWorkload(session: session)
                if options.seed { try seeder.seed(workload.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .fetchBodies:
                let workload = FetchBodiesWorkload(session: session)
                if options.seed { try seeder.seed(workload.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .append:
                let workload = AppendWorkload(session: session)
                if options.seed { try seeder.seed(workload.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .fetchHeaders:
                let workload = FetchHeadersWorkload(session: session)
                if options.seed { try seeder.seed(workload.corpus.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .store:
                let workload = StoreWorkload(session: session)
                if options.seed { try seeder.seed(workload.corpus.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .search:
                let workload = SearchWorkload(session: session)
                if options.seed { try seeder.seed(workload.corpus.seedTargets()) }
                return timed(options) { client, gate in workload.runClient(client, gate: gate) }
            case .serveCopy:
                var result = LoadResult(options: options, statistics: RunStatistics(), seconds: 0)
                result.fatal = "serve-copy is a server, not a workload"
                return result
            case .idleCapacity:
                let outcome = IdleCapacityWorkload(session: session).run()
                var result = LoadResult(options: options, statistics: outcome.statistics, seconds: outcome.openSeconds)
                result.attach(idle: outcome, requested: options.connections)
                if outcome.held == 0 { result.fatal = fatalReason(outcome.statistics) }
                return result
            case .idleFanout:
                let workload = IdleFanoutWorkload(session: session)
                if options.seed { try seeder.seed(workload.seedTargets()) }
                let (statistics, seconds) = workload.run()
                var result = LoadResult(options: options, statistics: statistics, seconds: seconds)
                if statistics.commands["DELIVERY"] == nil { result.fatal = fatalReason(statistics) }
                return result
            }
        } catch {
            var statistics = RunStatistics()
            statistics.recordError(error.kind)
            var result = LoadResult(options: options, statistics: statistics, seconds: 0)
            let cannotLogIn = ["login", "BYE", "greeting"].contains(error.kind)
            result.fatal = cannotLogIn ? "login failed while seeding: \(error)" : "seeding failed: \(error)"
            return result
        }
    }

    /// The mailboxes `options.workload` reads, without measuring anything.
    static func seedTargets(_ session: Session) -> [Seeder.Target] {
        let options = session.options
        switch options.workload {
        case .mix: return MixWorkload(session: session).seedTargets()
        case .fetchBodies: return FetchBodiesWorkload(session: session).seedTargets()
        case .append: return AppendWorkload(session: session).seedTargets()
        case .idleFanout: return IdleFanoutWorkload(session: session).seedTargets()
        case .fetchHeaders, .store, .search: return CorpusMailbox(options: options).seedTargets()
        case .idleCapacity, .serveCopy: return []
        }
    }

    /// `--seed-only`: seeds once (a large mailbox before the measured rounds) and reports
    /// the seconds it took as the headline.
    static func seedOnly(_ options: LoadOptions, seeder: Seeder) -> LoadResult {
        let start = MonotonicClock.nanoseconds()
        var statistics = RunStatistics()
        var fatal: String?
        do throws(LoadError) {
            try seeder.seed(seedTargets(seeder.session))
            if [.fetchHeaders, .store, .search].contains(options.workload) { try warmUp(seeder.session) }
        } catch {
            statistics.recordError(error.kind)
            fatal = "seeding failed: \(error)"
        }
        let seconds = MonotonicClock.seconds(since: start)
        var result = LoadResult(options: options, statistics: statistics, seconds: seconds)
        result.headline = seconds
        result.headlineName = "seeding seconds"
        result.fatal = fatal
        return result
    }

    /// Runs the header FETCH and every corpus search once, unmeasured: a server that
    /// builds a cache on first use (Dovecot's dovecot.index.cache fills per header field
    /// when first asked) is measured in the state its users see, not in its first minute.
    static func warmUp(_ session: Session) throws(LoadError) {
        let corpus = CorpusMailbox(options: session.options)
        var statistics = RunStatistics()
        guard let (connection, exists) = try corpus.open(session: session, writable: false, into: &statistics, setup: true) else {
            throw LoadError("warm-up", "cannot open \(corpus.name): \(statistics.errors)")
        }
        defer { _ = try? connection.execute(.logout); connection.close() }
        _ = try ResponseValidator.validateHeaderFetch(try connection.execute(FetchHeadersWorkload.command), exists: exists)
        for search in CorpusSearch.allCases {
            let exchange = try connection.execute(.search(SearchCommand(byUID: false, key: search.key(parameter: 0))))
            _ = try ResponseValidator.validateSearch(exchange, search: search, parameter: 0, exists: exists)
        }
    }

    /// Runs `clients` workers between a common start line and the deadline.
    static func timed(_ options: LoadOptions, _ client: @escaping @Sendable (Int, RunGate) -> RunStatistics) -> LoadResult {
        let gate = RunGate(parties: options.clients, durationSeconds: options.durationSeconds, operationBudget: options.count)
        let perClient = WorkerPool.run(count: options.clients) { client($0, gate) }
        let seconds = gate.start.map { MonotonicClock.seconds(since: $0) } ?? 0
        var statistics = RunStatistics()
        for item in perClient { statistics.merge(item) }
        var result = LoadResult(options: options, statistics: statistics, seconds: seconds)
        let measured = statistics.commands.filter { !LoadResult.setupOperations.contains($0.key) }
        if measured.isEmpty { result.fatal = fatalReason(statistics) }
        return result
    }

    /// Why nothing was measured, naming login failures explicitly (the side-by-side
    /// script looks for "login" to tell a server that cannot log in yet).
    static func fatalReason(_ statistics: RunStatistics) -> String {
        let kinds = statistics.errors.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }
        if statistics.errors.keys.contains(where: { $0 == "login" || $0 == "BYE" || $0 == "greeting" }) {
            return "login failed (\(kinds.joined(separator: ", ")))"
        }
        return "nothing measured (\(kinds.isEmpty ? "no errors recorded" : kinds.joined(separator: ", ")))"
    }
}
