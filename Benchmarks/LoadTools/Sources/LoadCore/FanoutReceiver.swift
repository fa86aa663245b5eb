#if canImport(Glibc)
import Glibc
#endif

/// The receiving side of `idle-fanout`: every idler and the appender watched by one
/// thread, read without a parsed `Response` per line in the common case
/// (``SizeUpdateScanner``), so a delivery to 10,000 idlers costs the client little
/// beyond the kernel's own receive work.
///
/// Two ways to watch them, same checks: an io_uring (``IdleReceiveRing``, the default:
/// one multishot recv per idler, so no syscall and no readiness report per idler),
/// or, where io_uring is unavailable, epoll (``ReadinessSet``, idlers edge-triggered)
/// with a `recv` per ready idler into one shared buffer. Either way every byte an idler
/// receives goes through the same scanner or, for anything else, the connection's own
/// framer and parser, and each delivery must raise its EXISTS by exactly one.
///
/// Each delivery is timed twice: when this thread read the EXISTS (DELIVERY, DELIVERY
/// TO ALL), and when it arrived in the idler's socket by the kernel's receive timestamp
/// of that read (ARRIVAL, ARRIVAL AT ALL; ``ReceiveTimestamps``), which leaves out the
/// client's own wait for a core on a machine it shares with the server. A read that
/// carries no timestamp is an error (`no arrival timestamp`), never replaced by the
/// read time; a timestamp after the read or before the APPEND was sent is an error too
/// (`arrival after read`, `arrival before send`), so the two figures are checked
/// against each other on every delivery.
///
/// With the wake gate (``init(idlers:appender:useRing:gatesWakeups:)``, ring only), an
/// idler's socket does not wake the receiver as the EXISTS arrives: its SO_RCVLOWAT
/// stays above anything a round sends until the appender's completion is read (or a
/// wait comes back empty), and is then lowered, which hands the waiting bytes to the
/// armed receive at once. On loopback the receiver's wake-up (the socket's wait queue,
/// io_uring's poll callback and task-work queue) otherwise runs on the *server's*
/// thread, inside each send, as part of the receiving side's work; a client on another
/// machine pays for its own wake-ups. Arrival times are unchanged (the kernel stamps
/// the segment as it arrives); read times come later.
///
/// What a delivery touches per idler lives in dense arrays here rather than in the
/// 10,000 connection objects scattered over the heap (loading a field of each was
/// most of the receiver's own time in a profile); a connection is touched only when
/// its bytes need the full parser. ``finish()`` stops watching and writes the views back.
///
/// Invariants: `scratch` is allocated in `init` and freed in deinit; one thread uses a
/// receiver (the workload's), and nothing else reads the idlers' sockets between
/// `init` and ``finish()``. Token `idlers.count` is the appender; `idlers.count + 1`
/// the ring's cancellation; any other token is an index into `idlers` and into the
/// per-idler arrays.
final class FanoutReceiver {
    let idlers: [IdleConnection]
    let appender: IMAPConnection
    private enum Watch {
        case ring(IdleReceiveRing)
        case epoll(ReadinessSet)
    }
    private var watch: Watch?
    private let scratch: UnsafeMutableRawBufferPointer
    private let descriptors: [Int32]
    /// Each idler's message count (its ``MailboxView``).
    private var known: [UInt32]
    /// Each idler's connection holds no partial response (``IMAPConnection/isAtResponseBoundary``).
    private var atBoundary: [Bool]
    /// Idlers whose connection failed, by error kind: no longer watched, and counted as
    /// an error again in every later delivery (each misses it).
    private var failed: [Int: String] = [:]
    /// Ring requests still armed (multishot receives and the appender's poll).
    private var armed = 0
    /// Idlers' sockets hold their bytes back (SO_RCVLOWAT) until the appender's reply is read.
    private let gatesWakeups: Bool
    /// SO_RCVLOWAT while a gate is shut: far above what one round sends an idler.
    private static let shutGate: Int32 = 64 * 1024
    private var appenderToken: Int { idlers.count }
    private var cancelToken: Int { idlers.count + 1 }
    /// The earliest and latest arrival (realtime ns) of the last delivery (round log).
    private(set) var lastArrivals: (first: UInt64, last: UInt64) = (0, 0)

    /// Names of the figures recorded per idler and per delivery, by arrival in the socket.
    static let arrival = "ARRIVAL"
    static let arrivalAtAll = "ARRIVAL AT ALL"

    enum Outcome {
        /// The appender's tagged completion, and when it was read.
        case appended(Exchange, at: UInt64)
        /// The appender's connection failed (recorded as an error).
        case appenderFailed
        /// No completion before the deadline.
        case appendTimedOut
    }

    /// `useRing`: false watches through epoll even where io_uring works (tests, comparisons).
    /// `gatesWakeups`: the wake gate described above (ring only; ignored with epoll).
    init(idlers: [IdleConnection], appender: IMAPConnection, useRing: Bool = true, gatesWakeups: Bool = false) throws(LoadError) {
        self.idlers = idlers
        self.appender = appender
        descriptors = idlers.map(\.connection.socket.descriptor)
        known = idlers.map(\.view.exists)
        atBoundary = idlers.map(\.connection.isAtResponseBoundary)
        scratch = .allocate(byteCount: 256 * 1024, alignment: 64)
        for descriptor in descriptors { try ReceiveTimestamps.enable(on: descriptor) }
        // When it never comes on, every delivery's reads say so as errors.
        ReceiveTimestamps.awaitKernelStamping()
        if useRing, let ring = try? IdleReceiveRing(sockets: idlers.count + 1) {
            self.gatesWakeups = gatesWakeups
            // Shut before the receives are armed, so no arrival wakes them before a reply.
            if gatesWakeups { for index in descriptors.indices { try setGate(index, open: false) } }
            for (index, descriptor) in descriptors.enumerated() { try ring.receive(descriptor, token: UInt64(index)) }
            try ring.pollInput(appender.socket.descriptor, token: UInt64(appenderToken))
            armed = descriptors.count + 1
            watch = .ring(ring)
        } else {
            self.gatesWakeups = false
            let readiness = try ReadinessSet()
            for (index, descriptor) in descriptors.enumerated() { try readiness.add(descriptor, token: index, edgeTriggered: true) }
            try readiness.add(appender.socket.descriptor, token: appenderToken)
            watch = .epoll(readiness)
        }
    }

    deinit { scratch.deallocate() }

    /// Whether the idlers are watched through io_uring (else epoll).
    var usesRing: Bool {
        if case .ring? = watch { return true }
        return false
    }

    /// Stops watching (a ring's receives are cancelled, and bytes they took meanwhile
    /// applied) and gives each idler its view back, before the idlers are used on
    /// their own (DONE). Call once, after the last delivery.
    func finish() {
        if case .ring(let ring)? = watch {
            // Open for good: the idlers' own reads (DONE) must not wait for 64 KiB.
            if gatesWakeups { for index in descriptors.indices { try? setGate(index, open: true) } }
            do throws(LoadError) {
                try ring.cancelAll(token: UInt64(cancelToken))
                let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
                while armed > 0, MonotonicClock.nanoseconds() < deadline {
                    for completion in try ring.wait(milliseconds: 100) {
                        take(completion, from: ring, rearm: false, onIdlerBytes: { _, _ in })
                    }
                }
            } catch {
                // The ring is closed below either way; what it had not handed over is lost.
            }
        }
        watch = nil
        for (index, idle) in idlers.enumerated() { idle.view = MailboxView(exists: known[index]) }
    }

    /// Sets idler `index`'s SO_RCVLOWAT: 1 (open: its bytes wake the armed receive, those
    /// already waiting at once) or ``shutGate`` (its arrivals wake nobody).
    private func setGate(_ index: Int, open: Bool) throws(LoadError) {
        var lowWater: Int32 = open ? 1 : Self.shutGate
        guard setsockopt(descriptors[index], SOL_SOCKET, SO_RCVLOWAT, &lowWater, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw LoadError("io", "SO_RCVLOWAT: \(String(cString: strerror(errno)))")
        }
    }

    /// Opens (or shuts) the gates of the idlers not failed; an idler whose gate cannot
    /// be set is failed with that error.
    private func setGates(open: Bool) {
        for index in descriptors.indices where failed[index] == nil {
            do throws(LoadError) { try setGate(index, open: open) } catch { failed[index] = error.kind }
        }
    }

    /// Bytes received for idler `index`, applied to its view.
    private func apply(_ bytes: UnsafeRawBufferPointer, to index: Int) throws(LoadError) {
        var view = MailboxView(exists: known[index])
        if atBoundary[index], try SizeUpdateScanner.apply(bytes, to: &view) {
            known[index] = view.exists
        } else {
            let connection = idlers[index].connection
            try connection.takeIdleBytes(bytes, into: &view)
            known[index] = view.exists
            atBoundary[index] = connection.isAtResponseBoundary
        }
    }

    /// Everything waiting on idler `index`'s socket (epoll), applied to its view; returns
    /// the receive timestamp of the read that first changed its count (0: none did, or
    /// that read carried no timestamp).
    /// Edge-triggered: reads until a read comes back short (new bytes after it are a new edge).
    private func receive(_ index: Int) throws(LoadError) -> UInt64 {
        let before = known[index]
        var arrival: UInt64?
        while true {
            let (count, stamp) = try ReceiveTimestamps.receiveAvailable(descriptor: descriptors[index], into: scratch)
            guard count > 0 else { break }
            try apply(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), to: index)
            if arrival == nil, known[index] != before { arrival = stamp }
            if count < scratch.count { break }
        }
        return arrival ?? 0
    }

    /// One ring completion: an idler's bytes are applied (then `onIdlerBytes` runs with
    /// its index and the read's receive timestamp, or with a failure recorded in
    /// `failed`), an ended receive is re-armed
    /// when it ran out of buffers and `rearm` is set; the appender's poll and the
    /// cancellation only end or count down. Returns whether it was the appender's poll.
    @discardableResult
    private func take(_ completion: IdleReceiveRing.Completion, from ring: IdleReceiveRing, rearm: Bool,
                      onIdlerBytes: (Int, UInt64) -> Void) -> Bool {
        let token = Int(completion.token)
        if token == cancelToken { return false }
        if !completion.continues { armed -= 1 }
        if token == appenderToken { return true }
        var failure: LoadError?
        if let id = completion.bufferID {
            if completion.result > 0, failed[token] == nil {
                do throws(LoadError) {
                    try apply(ring.bytes(of: completion), to: token)
                } catch {
                    failure = error
                }
            }
            ring.recycle(id)
        }
        if failure == nil, !completion.continues, failed[token] == nil {
            switch completion.result {
            case -ENOBUFS where rearm, 1... where rearm:
                // Out of buffers for a moment (or a receive that ended after reading):
                // arm it again; nothing is lost, the bytes wait in the socket.
                do throws(LoadError) {
                    try ring.receive(descriptors[token], token: UInt64(token))
                    armed += 1
                } catch {
                    failure = error
                }
            case 0: failure = LoadError("closed", "server closed the connection")
            case -ECANCELED: break
            default:
                if completion.result < 0 { failure = LoadError("io", "recv: \(String(cString: strerror(-completion.result)))") }
            }
        }
        if let failure, failed[token] == nil { failed[token] = failure.kind }
        onIdlerBytes(token, completion.arrival)
        return false
    }

    /// Reads until every idler has heard of the message appended with `appendTag` (its
    /// EXISTS exactly one above what it knew) and the appender has its completion, or
    /// until `deadline` (monotonic). Records DELIVERY per idler and DELIVERY TO ALL when
    /// all heard (read times), ARRIVAL per idler and ARRIVAL AT ALL when every idler's
    /// arrival was stamped and checked (receive timestamps), and errors per idler that
    /// failed or timed out.
    func awaitDelivery(appendTag: String, sent: SendTime, deadline: UInt64, statistics: inout RunStatistics) -> Outcome {
        var waiting = [Bool](repeating: true, count: idlers.count)
        var waitingCount = idlers.count
        for (index, kind) in failed {
            waiting[index] = false
            waitingCount -= 1
            statistics.recordError(kind)
        }
        var appended: (Exchange, UInt64)?
        var slowest: UInt64 = 0
        var slowestArrival: UInt64 = 0
        // Recorded here and merged once: no dictionary lookup by name per idler.
        var delivered = CommandStatistics()
        var arrivals = CommandStatistics()
        var arrivalsMissed = false
        var firstArrival = UInt64.max, lastArrival: UInt64 = 0
        defer { lastArrivals = (firstArrival, lastArrival) }
        var before: UInt32 = 0
        /// A delivery to one idler read at `now` (monotonic) whose read was stamped `arrival`.
        func recordArrival(_ arrival: UInt64, readAt now: UInt64) {
            let problem: String? =
                if arrival == 0 { "no arrival timestamp" }
                else if arrival < sent.realtime { "arrival before send" }
                else if arrival - sent.realtime > now - sent.monotonic { "arrival after read" }
                else { nil }
            if let problem {
                arrivalsMissed = true
                statistics.recordError(problem)
                return
            }
            let latency = (arrival - sent.realtime) / 1000
            arrivals.record(microseconds: latency)
            firstArrival = min(firstArrival, arrival)
            lastArrival = max(lastArrival, arrival)
            slowestArrival = max(slowestArrival, latency)
        }
        /// After idler `index` took bytes (`before`: its count until then) in a read
        /// stamped `arrival`.
        func settle(_ index: Int, now: UInt64, before: UInt32, failure: String?, arrival: UInt64 = 0) {
            if let failure {
                if case .epoll(let readiness)? = watch { readiness.remove(descriptors[index]) }
                failed[index] = failure
                if waiting[index] {
                    waiting[index] = false
                    waitingCount -= 1
                    statistics.recordError(failure)
                }
                return
            }
            let exists = known[index]
            guard exists > before, waiting[index] else { return }
            guard exists == before + 1 else {
                settle(index, now: now, before: before,
                       failure: LoadError("invalid EXISTS", "EXISTS jumped from \(before) to \(exists) for one append").kind)
                return
            }
            let latency = (now - sent.monotonic) / 1000
            delivered.record(microseconds: latency)
            slowest = max(slowest, latency)
            recordArrival(arrival, readAt: now)
            waiting[index] = false
            waitingCount -= 1
        }
        /// The appender has input; false when its connection failed.
        func readAppender(now: UInt64) -> Bool {
            do throws(LoadError) {
                try appender.receiveOnce()
                for case .tagged(appendTag, let status) in appender.drainPending() {
                    appended = (Exchange(untagged: [], status: status), now)
                }
                return true
            } catch {
                statistics.recordError(error.kind)
                return false
            }
        }
        var gatesOpen = !gatesWakeups
        defer {
            // Shut again for the next round (no idler expects bytes before its APPEND).
            if gatesOpen && gatesWakeups { setGates(open: false) }
        }
        while waitingCount > 0 || appended == nil, MonotonicClock.nanoseconds() < deadline {
            switch watch {
            case .ring(let ring)?:
                let completions: [IdleReceiveRing.Completion]
                do throws(LoadError) {
                    // Shut, nothing but the reply can complete: after it, one short wait
                    // (run when a core is free, at the readers' priority) then open.
                    completions = try ring.wait(milliseconds: gatesOpen ? 100 : appended == nil ? 20 : 1)
                } catch {
                    statistics.recordError(error.kind)
                    return .appenderFailed
                }
                if !gatesOpen && completions.isEmpty {
                    // The reply is in (or late): what arrived is handed over now.
                    setGates(open: true)
                    gatesOpen = true
                    for (index, _) in failed where waiting[index] {
                        waiting[index] = false
                        waitingCount -= 1
                        statistics.recordError(failed[index]!)
                    }
                }
                guard !completions.isEmpty else { continue }
                let now = MonotonicClock.nanoseconds()
                for completion in completions {
                    let index = Int(completion.token)
                    if index < idlers.count { before = known[index] }
                    let alreadyFailed = index < idlers.count && failed[index] != nil
                    let isAppender = take(completion, from: ring, rearm: true) { index, arrival in
                        guard !alreadyFailed else { return }
                        settle(index, now: now, before: before, failure: failed[index], arrival: arrival)
                    }
                    guard isAppender else { continue }
                    guard completion.result >= 0, readAppender(now: now) else {
                        if completion.result < 0 { statistics.recordError("io") }
                        return .appenderFailed
                    }
                    do throws(LoadError) {
                        try ring.pollInput(appender.socket.descriptor, token: UInt64(appenderToken))
                        armed += 1
                    } catch {
                        statistics.recordError(error.kind)
                        return .appenderFailed
                    }
                }
            case .epoll(let readiness)?:
                let ready = readiness.wait(milliseconds: 100)
                guard !ready.isEmpty else { continue }
                let now = MonotonicClock.nanoseconds()
                for token in ready {
                    let index = Int(token)
                    guard index < idlers.count else {
                        guard readAppender(now: now) else { return .appenderFailed }
                        continue
                    }
                    before = known[index]
                    do throws(LoadError) {
                        let arrival = try receive(index)
                        settle(index, now: now, before: before, failure: nil, arrival: arrival)
                    } catch {
                        settle(index, now: now, before: before, failure: error.kind)
                    }
                }
            case nil:
                return .appendTimedOut
            }
        }
        if delivered.count > 0 { statistics.commands["DELIVERY", default: CommandStatistics()].merge(delivered) }
        if arrivals.count > 0 { statistics.commands[Self.arrival, default: CommandStatistics()].merge(arrivals) }
        for _ in 0..<waitingCount { statistics.recordError("delivery timeout") }
        guard let (exchange, arrived) = appended else { return .appendTimedOut }
        if waitingCount == 0, slowest > 0 { statistics.record("DELIVERY TO ALL", microseconds: slowest) }
        if waitingCount == 0, slowest > 0, !arrivalsMissed { statistics.record(Self.arrivalAtAll, microseconds: slowestArrival) }
        return .appended(exchange, at: arrived)
    }
}
