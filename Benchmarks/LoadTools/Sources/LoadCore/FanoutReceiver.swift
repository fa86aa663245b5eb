/// The receiving side of `idle-fanout`: every idler and the appender registered once
/// with one ``ReadinessSet`` (idlers edge-triggered, so epoll forgets a socket once it
/// reported it), read through one shared buffer, so a delivery to 10,000 idlers costs a
/// `recv` and a few dozen byte comparisons per idler (``SizeUpdateScanner``), not a
/// poll over the sockets still waiting and a parsed `Response` per line.
///
/// What a delivery touches per idler lives in dense arrays here rather than in the
/// 10,000 connection objects scattered over the heap (loading a field of each was
/// most of the receiver's own time in a profile); a connection is touched only when
/// its bytes need the full parser. ``syncViews()`` writes the views back.
///
/// Invariants: `scratch` is allocated in `init` and freed in deinit; one thread uses a
/// receiver (the workload's), and nothing else reads the idlers' sockets between
/// `init` and ``syncViews()``. Token `idlers.count` is the appender; any other token is
/// an index into `idlers` and into the per-idler arrays.
final class FanoutReceiver {
    let idlers: [IdleConnection]
    let appender: IMAPConnection
    private let readiness: ReadinessSet
    private let scratch: UnsafeMutableRawBufferPointer
    private let descriptors: [Int32]
    /// Each idler's message count (its ``MailboxView``).
    private var known: [UInt32]
    /// Each idler's connection holds no partial response (``IMAPConnection/isAtResponseBoundary``).
    private var atBoundary: [Bool]
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
        descriptors = idlers.map(\.connection.socket.descriptor)
        known = idlers.map(\.view.exists)
        atBoundary = idlers.map(\.connection.isAtResponseBoundary)
        readiness = try ReadinessSet()
        for (index, descriptor) in descriptors.enumerated() { try readiness.add(descriptor, token: index, edgeTriggered: true) }
        try readiness.add(appender.socket.descriptor, token: idlers.count)
        scratch = .allocate(byteCount: 256 * 1024, alignment: 64)
    }

    deinit { scratch.deallocate() }

    /// Gives each idler its view back, before the idlers are used on their own (DONE).
    func syncViews() {
        for (index, idle) in idlers.enumerated() { idle.view = MailboxView(exists: known[index]) }
    }

    /// Everything waiting on idler `index`'s socket, applied to its view. Edge-triggered:
    /// reads until a read comes back short (new bytes after it are a new edge).
    private func receive(_ index: Int) throws(LoadError) {
        while true {
            let count = try ClientSocket.receiveAvailable(descriptor: descriptors[index], into: scratch)
            guard count > 0 else { return }
            let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
            var view = MailboxView(exists: known[index])
            if atBoundary[index], try SizeUpdateScanner.apply(bytes, to: &view) {
                known[index] = view.exists
            } else {
                let connection = idlers[index].connection
                try connection.takeIdleBytes(bytes, into: &view)
                known[index] = view.exists
                atBoundary[index] = connection.isAtResponseBoundary
            }
            if count < scratch.count { return }
        }
    }

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
        // Recorded here and merged once: no dictionary lookup by name per idler.
        var delivered = CommandStatistics()
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
                let before = known[index]
                do throws(LoadError) {
                    try receive(index)
                    let exists = known[index]
                    guard exists > before, waiting[index] else { continue }
                    guard exists == before + 1 else {
                        throw LoadError("invalid EXISTS", "EXISTS jumped from \(before) to \(exists) for one append")
                    }
                    let latency = (now - sent) / 1000
                    delivered.record(microseconds: latency)
                    slowest = max(slowest, latency)
                    waiting[index] = false
                    waitingCount -= 1
                } catch {
                    readiness.remove(descriptors[index])
                    failed[index] = error.kind
                    if waiting[index] {
                        waiting[index] = false
                        waitingCount -= 1
                        statistics.recordError(error.kind)
                    }
                }
            }
        }
        if delivered.count > 0 { statistics.commands["DELIVERY", default: CommandStatistics()].merge(delivered) }
        for _ in 0..<waitingCount { statistics.recordError("delivery timeout") }
        guard let (exchange, arrived) = appended else { return .appendTimedOut }
        if waitingCount == 0, slowest > 0 { statistics.record("DELIVERY TO ALL", microseconds: slowest) }
        return .appended(exchange, at: arrived)
    }
}
