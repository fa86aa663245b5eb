/// The receiving side of `idle-fanout`: every idler and the appender registered once
/// with one ``ReadinessSet``, read through one shared buffer, so a delivery to 10,000
/// idlers costs a `recv` and a few dozen byte comparisons per idler
/// (``IMAPConnection/receiveIdleUpdates(into:scratch:)``), not a poll over the sockets
/// still waiting and a parsed `Response` per line.
///
/// Invariants: `scratch` is allocated in `init` and freed in deinit; one thread uses a
/// receiver (the workload's). Token `idlers.count` is the appender; any other token is
/// an index into `idlers`.
final class FanoutReceiver {
    let idlers: [IdleConnection]
    let appender: IMAPConnection
    private let readiness: ReadinessSet
    private let scratch: UnsafeMutableRawBufferPointer
    /// Idlers whose connection failed, by error kind: no longer watched, and counted as
    /// an error again in every later delivery (each misses it).
    private var failed: [Int: String] = [:]

    enum Outcome {
        /// The appender's tagged completion, and when it was read.
        case appended(Exchange, at: UInt64)
        /// The appender's connection failed (recorded as an error).
        case appenderFailed
        /// No completion before the deadline.
        case appendTimedOut
    }

    init(idlers: [IdleConnection], appender: IMAPConnection) throws(LoadError) {
        self.idlers = idlers
        self.appender = appender
        readiness = try ReadinessSet()
        for (index, idle) in idlers.enumerated() { try readiness.add(idle.connection.socket.descriptor, token: index) }
        try readiness.add(appender.socket.descriptor, token: idlers.count)
        scratch = .allocate(byteCount: 256 * 1024, alignment: 64)
    }

    deinit { scratch.deallocate() }

    /// Reads until every idler has heard of the message appended with `appendTag` (its
    /// EXISTS exactly one above what it knew) and the appender has its completion, or
    /// until `deadline`. Records DELIVERY per idler, DELIVERY TO ALL when all heard,
    /// and errors per idler that failed or timed out.
    func awaitDelivery(appendTag: String, sent: UInt64, deadline: UInt64, statistics: inout RunStatistics) -> Outcome {
        var waiting = [Bool](repeating: true, count: idlers.count)
        var waitingCount = idlers.count
        for (index, kind) in failed {
            waiting[index] = false
            waitingCount -= 1
            statistics.recordError(kind)
        }
        var appended: (Exchange, UInt64)?
        var slowest: UInt64 = 0
        while waitingCount > 0 || appended == nil, MonotonicClock.nanoseconds() < deadline {
            let ready = readiness.wait(milliseconds: 100)
            guard !ready.isEmpty else { continue }
            let now = MonotonicClock.nanoseconds()
            for token in ready {
                let index = Int(token)
                guard index < idlers.count else {
                    do throws(LoadError) {
                        try appender.receiveOnce()
                        for case .tagged(appendTag, let status) in appender.drainPending() {
                            appended = (Exchange(untagged: [], status: status), now)
                        }
                    } catch {
                        statistics.recordError(error.kind)
                        return .appenderFailed
                    }
                    continue
                }
                let idle = idlers[index]
                let before = idle.view.exists
                do throws(LoadError) {
                    try idle.connection.receiveIdleUpdates(into: &idle.view, scratch: scratch)
                    guard idle.view.exists > before, waiting[index] else { continue }
                    guard idle.view.exists == before + 1 else {
                        throw LoadError("invalid EXISTS", "EXISTS jumped from \(before) to \(idle.view.exists) for one append")
                    }
                    let latency = (now - sent) / 1000
                    statistics.record("DELIVERY", microseconds: latency)
                    slowest = max(slowest, latency)
                    waiting[index] = false
                    waitingCount -= 1
                } catch {
                    // Level-triggered: a failed socket would be reported ready forever.
                    readiness.remove(idle.connection.socket.descriptor)
                    failed[index] = error.kind
                    if waiting[index] {
                        waiting[index] = false
                        waitingCount -= 1
                        statistics.recordError(error.kind)
                    }
                }
            }
        }
        for _ in 0..<waitingCount { statistics.recordError("delivery timeout") }
        guard let (exchange, arrived) = appended else { return .appendTimedOut }
        if waitingCount == 0, slowest > 0 { statistics.record("DELIVERY TO ALL", microseconds: slowest) }
        return .appended(exchange, at: arrived)
    }
}
