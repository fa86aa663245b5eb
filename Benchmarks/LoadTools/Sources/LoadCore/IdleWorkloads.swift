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
/// the EXISTS that announces it, which must be exactly one more than it knew, and
/// (ARRIVAL) to that EXISTS arriving in the idler's socket (``FanoutReceiver``).
/// With `--idle-readers-priority idle` the thread reads at SCHED_IDLE: it goes back to
/// normal only to take the clock and send each APPEND, so its reading takes no core
/// the server could use.
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
        do throws(LoadError) {
            let receiver = try FanoutReceiver(
                idlers: idlers, appender: appender, useRing: options.idleReceiverUsesRing,
                gatesWakeups: options.idleReceiverGatesWakeups)
            var rounds = 0
            var serial = 0
            // What each delivery costs in CPU, this process and (with --pid) the server's.
            let clientClock = ProcessCPUClock()
            let serverClock = options.pid.flatMap { ProcessCPUClock(pid: $0) }
            var clientCPU = clientClock.nanoseconds()
            var serverCPU = serverClock?.nanoseconds()
            defer {
                // Back to normal for the rest of the run (DONE, logout) whatever happened.
                if options.idleReadersPriority != .normal { try? ThreadPriority.normal.applyToCurrentThread() }
            }
            while MonotonicClock.seconds(since: start) < options.durationSeconds, options.count == 0 || rounds < options.count {
                rounds += 1
                serial += 1
                if !deliverOne(serial: serial, user: user, receiver: receiver, statistics: &statistics) { break }
                Self.recordCPU(since: &clientCPU, of: clientClock, as: Self.clientCPU, into: &statistics)
                if let serverClock { Self.recordCPU(since: &serverCPU, of: serverClock, as: Self.serverCPU, into: &statistics) }
            }
            receiver.finish()
        } catch {
            statistics.recordError(error.kind)
        }
        let seconds = MonotonicClock.seconds(since: start)
        // DONE on several threads: one by one, 10,000 of Dovecot's processes take minutes.
        statistics.merge(IdleCapacityWorkload(session: session).finish(idlers).1)
        _ = try? appender.execute(.logout)
        appender.close()
        return (statistics, seconds)
    }

    /// CPU time of the client, and of the server process (`--pid`), per delivery round
    /// (APPEND to its last EXISTS and its OK; what a round leaves running counts in the
    /// next): recorded as durations in µs, so a report shows their median and spread.
    public static let clientCPU = "CLIENT CPU PER ROUND"
    public static let serverCPU = "SERVER CPU PER ROUND"

    private static func recordCPU(since last: inout UInt64?, of clock: ProcessCPUClock, as name: String, into statistics: inout RunStatistics) {
        let now = clock.nanoseconds()
        if let now, let before = last, now >= before {
            statistics.commands[name, default: CommandStatistics()].record(microseconds: (now - before) / 1000)
        }
        last = now
    }

    /// One APPEND and its delivery to every idler; false when the appender is unusable.
    private func deliverOne(serial: Int, user: String, receiver: FanoutReceiver, statistics: inout RunStatistics) -> Bool {
        let message = MessageFactory.message(size: options.messageSize, serial: serial, user: user)
        let readers = options.idleReadersPriority
        let tag: String
        let sent: SendTime
        do throws(LoadError) {
            if readers != .normal { try ThreadPriority.normal.applyToCurrentThread() }
            sent = SendTime.now()
            tag = try receiver.appender.send(.append(mailbox, [AppendMessage(options: AppendOptions(), data: message)]))
            if readers != .normal { try readers.applyToCurrentThread() }
        } catch {
            statistics.recordError(error.kind)
            return false
        }
        let deadline = sent.monotonic + UInt64(options.deliveryTimeoutSeconds * 1e9)
        switch receiver.awaitDelivery(appendTag: tag, sent: sent, deadline: deadline, statistics: &statistics) {
        case .appended(let exchange, let arrived):
            RoundLog.shared?.write(serial: serial, sent: sent, appendOK: arrived, arrivals: receiver.lastArrivals)
            do throws(LoadError) {
                try ResponseValidator.validateAppend(exchange, expectsAppendUID: Session.expectsAppendUID(receiver.appender))
                statistics.record("APPEND", microseconds: (arrived - sent.monotonic) / 1000, bytes: UInt64(message.count))
            } catch {
                statistics.recordError(error.kind)
            }
            return true
        case .appenderFailed:
            return false
        case .appendTimedOut:
            statistics.recordError("timeout")
            return false
        }
    }
}
