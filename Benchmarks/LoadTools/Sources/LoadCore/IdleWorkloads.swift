#if canImport(Glibc)
import Glibc
#endif
import IMAPCodec

/// A logged-in connection parked in IDLE, and the tag its DONE completes.
/// Handed from the thread that opened it to the one that ends it only at thread join.
public final class IdleConnection: @unchecked Sendable {
    public let connection: IMAPConnection
    public let tag: String
    public var view: MailboxView

    init(connection: IMAPConnection, tag: String, view: MailboxView) {
        self.connection = connection
        self.tag = tag
        self.view = view
    }

    /// Logs in, selects `mailbox`, enters IDLE and waits for the server's `+`.
    static func open(session: Session, user: String, mailbox: MailboxName, sourceAddress: String?) throws(LoadError) -> IdleConnection {
        let connection = try session.open(user: user, sourceAddress: sourceAddress)
        let exists = try ResponseValidator.validateSelect(try connection.execute(.select(mailbox, [])))
        let tag = try connection.send(.idle)
        try connection.awaitContinuation(tag: tag)
        return IdleConnection(connection: connection, tag: tag, view: MailboxView(exists: exists))
    }

    /// Ends IDLE; the server must complete it with a tagged OK.
    func done() throws(LoadError) {
        try connection.sendLine("DONE")
        let exchange = try connection.collect(tag: tag)
        try ResponseValidator.requireOK(exchange, "IDLE")
    }
}

/// Source address for the `index`th connection: beyond ~28k connections one loopback
/// address runs out of ephemeral ports, so connections spread over 127.0.0.1, .2, ….
public func sourceAddress(forConnection index: Int, of total: Int, perAddress: Int = 25_000) -> String? {
    total > 28_000 ? "127.0.0.\(1 + index / perAddress)" : nil
}

/// `idle-fanout`: `--idlers` connections IDLE on one mailbox while one appender adds a
/// message at a time; each delivery is the time from sending APPEND to an idler reading
/// the EXISTS that announces it, which must be exactly one more than it knew.
public struct IdleFanoutWorkload: Sendable {
    public let session: Session
    var options: LoadOptions { session.options }
    public let mailbox = MailboxName("fanout")

    public init(session: Session) {
        self.session = session
    }

    public func seedTargets() -> [Seeder.Target] {
        [Seeder.Target(user: options.userName(0), mailbox: mailbox, messages: 0, size: options.messageSize, recreate: true)]
    }

    public func run() -> (RunStatistics, Double) {
        var statistics = RunStatistics()
        let user = options.userName(0)
        FileLimit.raise(to: UInt64(options.idlers) + 1024)
        // Several openers at once: 10,000 idlers opened one by one take minutes against a
        // server that forks a process per login.
        let workers = max(1, min(8, options.idlers))
        let session = self.session
        let (idlerCount, mailbox) = (options.idlers, self.mailbox)
        let opened = WorkerPool.run(count: workers) { worker -> ([IdleConnection], RunStatistics) in
            var statistics = RunStatistics()
            var connections: [IdleConnection] = []
            var consecutiveFailures = 0
            for _ in stride(from: worker, to: idlerCount, by: workers) where consecutiveFailures < 50 {
                do throws(LoadError) {
                    if let idle = try measure("IDLE SETUP", into: &statistics, { () throws(LoadError) in
                        try IdleConnection.open(session: session, user: user, mailbox: mailbox, sourceAddress: nil)
                    }) {
                        connections.append(idle)
                        consecutiveFailures = 0
                    } else {
                        consecutiveFailures += 1
                    }
                } catch {
                    consecutiveFailures += 1
                }
            }
            return (connections, statistics)
        }
        let idlers = opened.flatMap(\.0)
        for (_, part) in opened { statistics.merge(part) }
        guard !idlers.isEmpty, let appender = try? session.open(user: user) else {
            statistics.recordError("login")
            return (statistics, 0)
        }
        let start = MonotonicClock.nanoseconds()
        var rounds = 0
        var serial = 0
        while MonotonicClock.seconds(since: start) < options.durationSeconds, options.count == 0 || rounds < options.count {
            rounds += 1
            serial += 1
            if !deliverOne(serial: serial, user: user, appender: appender, idlers: idlers, statistics: &statistics) { break }
        }
        let seconds = MonotonicClock.seconds(since: start)
        // DONE on several threads: one by one, 10,000 of Dovecot's processes take minutes.
        statistics.merge(IdleCapacityWorkload(session: session).finish(idlers).1)
        _ = try? appender.execute(.logout)
        appender.close()
        return (statistics, seconds)
    }

    /// One APPEND and its delivery to every idler; false when the appender is unusable.
    /// Only sockets still waiting are polled (``Readiness``).
    private func deliverOne(serial: Int, user: String, appender: IMAPConnection, idlers: [IdleConnection], statistics: inout RunStatistics) -> Bool {
        let message = MessageFactory.message(size: options.messageSize, serial: serial, user: user)
        let sent = MonotonicClock.nanoseconds()
        let tag: String
        do {
            tag = try appender.send(.append(mailbox, [AppendMessage(options: AppendOptions(), data: message)]))
        } catch {
            statistics.recordError(error.kind)
            return false
        }
        var waiting = Set(idlers.indices)
        var appended = false
        var slowest: UInt64 = 0
        let deadline = sent + UInt64(options.deliveryTimeoutSeconds * 1e9)
        var readiness = Readiness(idlers: idlers, appender: appender)
        while (!waiting.isEmpty || !appended), MonotonicClock.nanoseconds() < deadline {
            let ready = readiness.wait(milliseconds: 100)
            if ready.isEmpty { continue }
            let now = MonotonicClock.nanoseconds()
            for index in ready {
                if index == readiness.appenderIndex {
                    do throws(LoadError) {
                        try appender.receiveOnce()
                        for case .tagged(tag, let status) in appender.drainPending() {
                            let exchange = Exchange(untagged: [], status: status)
                            try ResponseValidator.validateAppend(exchange, expectsAppendUID: Session.expectsAppendUID(appender))
                            statistics.record("APPEND", microseconds: (now - sent) / 1000, bytes: UInt64(message.count))
                            appended = true
                        }
                    } catch {
                        statistics.recordError(error.kind)
                        return false
                    }
                    continue
                }
                let idle = idlers[index]
                do throws(LoadError) {
                    try idle.connection.receiveOnce()
                    let before = idle.view.exists
                    let untagged = idle.connection.drainPending().compactMap { response -> UntaggedResponse? in
                        if case .untagged(let item) = response { return item }
                        return nil
                    }
                    try idle.view.apply(untagged)
                    if idle.view.exists > before, waiting.contains(index) {
                        guard idle.view.exists == before + 1 else {
                            throw LoadError("invalid EXISTS", "EXISTS jumped from \(before) to \(idle.view.exists) for one append")
                        }
                        let latency = (now - sent) / 1000
                        statistics.record("DELIVERY", microseconds: latency)
                        slowest = max(slowest, latency)
                        waiting.remove(index)
                    }
                } catch {
                    if waiting.remove(index) != nil { statistics.recordError(error.kind) }
                }
            }
            let appenderIndex = readiness.appenderIndex
            readiness.retain { $0 == appenderIndex ? !appended : waiting.contains($0) }
        }
        for _ in waiting { statistics.recordError("delivery timeout") }
        if !appended { statistics.recordError("timeout") }
        if waiting.isEmpty, slowest > 0 { statistics.record("DELIVERY TO ALL", microseconds: slowest) }
        return appended
    }
}

/// The poll set of one delivery: the appender and the idlers still waiting for it,
/// compacted after each wake-up so a wake-up costs the sockets still waiting, not a scan
/// of all 10,000 (Glibc's module does not offer epoll to Swift).
struct Readiness {
    /// Idler indices parallel to `descriptors`; the appender is `appenderIndex`.
    private var indices: [Int]
    private var descriptors: [pollfd]
    let appenderIndex: Int

    init(idlers: [IdleConnection], appender: IMAPConnection) {
        appenderIndex = idlers.count
        indices = Array(idlers.indices) + [idlers.count]
        descriptors = (idlers.map(\.connection) + [appender]).map { pollfd(fd: $0.socket.descriptor, events: Int16(POLLIN), revents: 0) }
    }

    /// Indices with input, waiting up to `milliseconds`.
    mutating func wait(milliseconds: Int32) -> [Int] {
        for index in descriptors.indices { descriptors[index].revents = 0 }
        guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 else { return [] }
        return descriptors.indices.filter { descriptors[$0].revents != 0 }.map { indices[$0] }
    }

    /// Stops watching every index `keep` rejects.
    mutating func retain(where keep: (Int) -> Bool) {
        var kept = 0
        for position in indices.indices where keep(indices[position]) {
            indices[kept] = indices[position]
            descriptors[kept] = descriptors[position]
            kept += 1
        }
        indices.removeLast(indices.count - kept)
        descriptors.removeLast(descriptors.count - kept)
    }
}
