import IMAPCodec

/// The corpus mailbox the message-level workloads share: `corpus-<messages>-<size>` of
/// the first user, seeded once (the seeder leaves a full mailbox alone).
public struct CorpusMailbox: Sendable {
    public let options: LoadOptions

    public init(options: LoadOptions) {
        self.options = options
    }

    public var user: String { options.userName(0) }
    public var name: MailboxName { MailboxName("corpus-\(options.messages)-\(options.messageSize)") }

    public func seedTargets() -> [Seeder.Target] {
        [Seeder.Target(user: user, mailbox: name, messages: options.messages, size: options.messageSize, corpus: true)]
    }

    /// Logs in and opens the mailbox (EXAMINE unless `writable`); it must hold exactly
    /// the seeded count, or the expected answers would be wrong.
    func open(session: Session, writable: Bool, into statistics: inout RunStatistics, setup: Bool) throws(LoadError) -> (IMAPConnection, UInt32)? {
        let prefix = setup ? "SETUP " : ""
        guard let connection = try measure(prefix + "LOGIN", into: &statistics, { () throws(LoadError) in try session.open(user: user) }) else { return nil }
        let verb = writable ? "SELECT" : "EXAMINE"
        let exists = try measure(setup ? "SETUP EXAMINE" : verb, into: &statistics) { () throws(LoadError) in
            try ResponseValidator.validateSelect(try connection.execute(writable ? .select(name, []) : .examine(name, [])))
        }
        guard let exists else { connection.close(); return nil }
        guard exists == UInt32(options.messages) else {
            connection.close()
            let error = LoadError("invalid \(verb)", "\(name) holds \(exists) messages, expected \(options.messages)")
            statistics.recordError(error.kind)
            throw error
        }
        return (connection, exists)
    }
}

/// `fetch-headers`: every client EXAMINEs the corpus mailbox and fetches, over and over,
/// `UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])`
/// — what a client does to list a folder. Each answer must cover every message once;
/// it is read through the fast lane of ``HeaderFetchReceiver``, which checks the same.
public struct FetchHeadersWorkload: Sendable {
    public let session: Session
    public let corpus: CorpusMailbox
    public static let fields = ["FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID"]
    public static let operation = "UID FETCH HEADERS"

    public init(session: Session) {
        self.session = session
        corpus = CorpusMailbox(options: session.options)
    }

    static let command = Command.fetch(FetchCommand(
        byUID: true, set: .ranges([SequenceRange(.number(1), .last)]),
        attributes: [.uid, .flags, .bodySection(SectionSpecifier(text: .headerFields(fields)), partial: nil, peek: true)]))

    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        var opened: (IMAPConnection, UInt32)?
        let receiver = HeaderFetchReceiver()
        do throws(LoadError) { opened = try corpus.open(session: session, writable: false, into: &statistics, setup: true) } catch {}
        _ = gate.arriveAndWait()
        guard opened != nil else { return statistics }
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let (connection, exists) = opened else {
                    opened = try corpus.open(session: session, writable: false, into: &statistics, setup: false)
                    continue
                }
                try measure(Self.operation, into: &statistics, bytes: { UInt64($0) }) { () throws(LoadError) -> Int in
                    try connection.fetchHeaders(Self.command, exists: exists, receiver: receiver)
                }
            } catch {
                opened?.0.close()
                opened = nil
            }
        }
        if let (connection, _) = opened { _ = try? connection.execute(.logout); connection.close() }
        return statistics
    }
}

/// `store`: every client SELECTs the corpus mailbox and owns a slice of it (messages
/// `slice.lowerBound...`), on which it repeatedly sets and clears `\Draft` — the corpus
/// never has it — on a range of ``rangeLength`` messages and on a single message. The
/// flags change every time, so each STORE must report the new FLAGS of every message it
/// named; other clients' changes arrive as untagged FETCHes of other numbers.
public struct StoreWorkload: Sendable {
    public let session: Session
    public let corpus: CorpusMailbox
    public static let rangeLength: UInt32 = 100

    public init(session: Session) {
        self.session = session
        corpus = CorpusMailbox(options: session.options)
    }

    /// Client `client`'s messages (1-based sequence numbers) of `exists`.
    public static func slice(client: Int, clients: Int, exists: UInt32) -> ClosedRange<UInt32> {
        let size = max(1, exists / UInt32(max(1, clients)))
        let first = UInt32(client % max(1, clients)) * size + 1
        return first...min(exists, first + size - 1)
    }

    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        var random = SplitMix64(seed: UInt64(client) &* 31 &+ 5)
        var opened: (IMAPConnection, ClosedRange<UInt32>)?
        let options = session.options
        func open(setup: Bool) throws(LoadError) {
            guard let (connection, exists) = try corpus.open(session: session, writable: true, into: &statistics, setup: setup) else { return }
            let slice = Self.slice(client: client, clients: options.clients, exists: exists)
            // A run cut short may have left \Draft set: clear the slice, unmeasured.
            let reset = try connection.execute(.store(StoreCommand(byUID: false, set: .ranges([SequenceRange(.number(slice.lowerBound), .number(slice.upperBound))]),
                                                                    flags: StoreFlags(operation: .remove, silent: true, flags: [.draft]))))
            try ResponseValidator.requireOK(reset, "STORE")
            opened = (connection, slice)
        }
        do throws(LoadError) { try open(setup: true) } catch {}
        _ = gate.arriveAndWait()
        guard opened != nil else { return statistics }
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let (connection, slice) = opened else { try open(setup: false); continue }
                let length = min(Self.rangeLength, UInt32(slice.count))
                let first = slice.lowerBound + UInt32(random.next(upperBound: UInt64(UInt32(slice.count) - length + 1)))
                let range = Array(first..<(first + length))
                let single = [slice.lowerBound + UInt32(random.next(upperBound: UInt64(slice.count)))]
                for (numbers, kind) in [(range, "RANGE"), (single, "ONE")] {
                    for adding in [true, false] {
                        try store(connection, numbers, adding: adding, name: "STORE \(adding ? "+" : "-")FLAGS \(kind)", into: &statistics)
                    }
                }
            } catch {
                opened?.0.close()
                opened = nil
            }
        }
        if let (connection, _) = opened { _ = try? connection.execute(.logout); connection.close() }
        return statistics
    }

    private func store(_ connection: IMAPConnection, _ numbers: [UInt32], adding: Bool, name: String, into statistics: inout RunStatistics) throws(LoadError) {
        guard let first = numbers.first, let last = numbers.last else { return }
        let command = Command.store(StoreCommand(byUID: false, set: .ranges([SequenceRange(.number(first), .number(last))]),
                                                 flags: StoreFlags(operation: adding ? .add : .remove, silent: false, flags: [.draft])))
        try measure(name, into: &statistics) { () throws(LoadError) in
            try ResponseValidator.validateStore(try connection.execute(command), sequenceNumbers: numbers, flag: .draft, adding: adding, requireReport: true)
        }
    }
}

/// `search`: every client EXAMINEs the corpus mailbox (seeded with `--messages`, e.g.
/// 100,000) and runs the `--searches` in turn, each with a random parameter; every
/// answer must name exactly the corpus messages that match (``CorpusSearch``).
public struct SearchWorkload: Sendable {
    public let session: Session
    public let corpus: CorpusMailbox

    public init(session: Session) {
        self.session = session
        corpus = CorpusMailbox(options: session.options)
    }

    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        var random = SplitMix64(seed: UInt64(client) &* 131 &+ 3)
        var opened: (IMAPConnection, UInt32)?
        let searches = session.options.searches
        do throws(LoadError) { opened = try corpus.open(session: session, writable: false, into: &statistics, setup: true) } catch {}
        _ = gate.arriveAndWait()
        guard opened != nil else { return statistics }
        var turn = client
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let (connection, exists) = opened else {
                    opened = try corpus.open(session: session, writable: false, into: &statistics, setup: false)
                    continue
                }
                let search = searches[turn % searches.count]
                turn += 1
                let parameter = Int(random.next(upperBound: UInt64(search.parameterCount)))
                let command = Command.search(SearchCommand(byUID: false, key: search.key(parameter: parameter)))
                try measure(search.operationName, into: &statistics) { () throws(LoadError) in
                    _ = try ResponseValidator.validateSearch(try connection.execute(command), search: search, parameter: parameter, exists: exists)
                }
            } catch {
                opened?.0.close()
                opened = nil
            }
        }
        if let (connection, _) = opened { _ = try? connection.execute(.logout); connection.close() }
        return statistics
    }
}
