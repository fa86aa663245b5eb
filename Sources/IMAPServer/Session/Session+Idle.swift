import IMAPCodec
import MailStore
import ShardRuntime

/// What a session in IDLE keeps besides its ordinary state.
struct IdleState: Sendable {
    /// The IDLE command's tag, for the answer to DONE.
    var tag: String
    /// What the client sent so far of the line that ends IDLE.
    var line: [UInt8] = []
    /// When `* OK Still here` is next due.
    var keepaliveDue: ContinuousClock.Instant
    /// The session's timer found the keepalive due; the wake sends it.
    var keepalivePending = false
    /// A wake task is started and has not run yet (one at a time, however many
    /// changes arrive meanwhile).
    var wakePending = false
    /// The session is in its shard's announcement table (``IdleAnnouncementTable``):
    /// it takes what was announced before it computes anything itself.
    var enrolled = false

    // The wake path reaches these two through `idling?.` (a mutating call in place):
    // reading `idling` itself copies the state, a retain and release of its tag and
    // line, per idler woken; the empty line's storage is one global both shard
    // threads would retain at once.

    /// Whether no wake is pending, so one may run now.
    mutating func mayWake() -> Bool { !wakePending }

    /// Clears both marks for the wake about to run; whether the keepalive was due.
    mutating func takeWakeMarks() -> Bool {
        defer {
            wakePending = false
            keepalivePending = false
        }
        return keepalivePending
    }
}

/// IDLE (RFC 2177): untagged updates as they happen until the client sends DONE,
/// with a keepalive `* OK Still here` every `idleKeepalive` so NAT gateways keep
/// the connection open.
///
/// While idle the session's own task waits in the connection's read and nothing
/// else: no reader task, no ticker task, no stream, no command frames below it. Changes (the broadcaster's
/// observer) and the keepalive (the session's timer, Session+Timer.swift) arrive on
/// the shard thread and start a short task (`serveIdleWake`) that sends what is
/// due and ends, so an idler holds no task of its own between wake-ups.
extension Session {
    /// Starts IDLE; the waiting happens in ``idle()``, called by the command
    /// loop once this command's task has ended, so an idler waits a few small
    /// frames deep in its connection's task (see ``serve(_:context:)``).
    func handleIdle(tag: String) async throws {
        send(.continuation(.text(ResponseText(text: "idling"))))
        reportMailboxUpdates(allowExpunge: true)
        try await flush()
        idleTag = tag
    }

    /// Waits in IDLE until the client's line ends it; queues the tagged answer.
    /// Runs in the connection's long-lived task: the frame holds the read and
    /// nothing else (see ``run(greet:)``).
    func idle() async throws {
        beginIdle()
        // Bytes that came with the IDLE command (a pipelined DONE) end it at once.
        let pipelined = framer.takeBufferedInput()
        if !pipelined.isEmpty, idleInput(pipelined) { return }
        while true {
            let received: [UInt8]?
            do {
                received = try await connection.read()
            } catch let error as ConnectionError {
                // Shutdown, say: the session ends as it would outside IDLE (with BYE).
                endIdle()
                throw error
            } catch {
                received = nil
            }
            if idleInput(received) { return }
        }
    }

    @inline(never)
    private func beginIdle() {
        // An idler may wait for hours: hold no buffer meanwhile.
        framer.releaseBufferIfEmpty()
        output.releaseCapacityIfEmpty()
        idling = IdleState(tag: idleTag!, keepaliveDue: .now + context.settings.idleKeepalive)
        idleTag = nil
        armTimer()
        // The broadcaster signals each delivery; the session drains on its own turn,
        // so nothing is taken from the inbox behind its back.
        // The broadcaster delivers on this shard: the wake is served there and then,
        // without queuing a closure per idler.
        // The round (one view for the shard's idlers) only serves the wake made then and there.
        let observer: ChangeInbox.Observer = { [self] round in
            if shard.isCurrent {
                assumeIsolated { $0.wakeIdler(round) }
            } else {
                shard.execute { self.assumeIsolated { $0.wakeIdler() } }
            }
        }
        if selected?.subscription.inbox.observe(observer) == true { wakeIdler() } else { enrollIdler() }
    }

    /// Puts the idler in its shard's announcement table when its client knows the
    /// mailbox as the session does, with nothing waiting in the session's output or
    /// tracker: appends then reach the client without running the session.
    private func enrollIdler() {
        guard let idle = idling, !idle.enrolled, !idle.wakePending, !idle.keepalivePending, output.bytes.isEmpty,
              let selection = selected, selection.updates.isSettled
        else { return }
        let enrollment = IdleAnnouncementTable.Enrollment(
            connection: connection, inbox: selection.subscription.inbox,
            knownCount: selection.updates.count, highestUID: selection.updates.highestKnownUID,
            recentCount: selection.updates.recentUIDs.count, rev1: !machine.isRev2Enabled,
            readOnly: selection.isReadOnly)
        if selection.subscription.enrollIdler(enrollment) { idling!.enrolled = true }
    }

    /// Leaves the announcement table and adopts what it told the client meanwhile,
    /// before the session computes or sends anything of its own.
    func catchUpWithAnnouncements() {
        guard idling?.enrolled == true else { return }
        idling!.enrolled = false
        guard selected != nil, let announcement = selected!.subscription.takeAnnouncement() else { return }
        if let view = announcement.view {
            selected!.updates.adoptAnnounced(view.uids)
            selected!.view = view
        }
        if !announcement.claimed.isEmpty { selected!.updates.adoptRecent(announcement.claimed) }
    }

    /// Takes what a read returned (nil: the peer closed or the read failed); true
    /// once IDLE is over. The client's line ends it: DONE with OK, anything else
    /// with BAD; bytes after the line go to the framer as the next commands.
    @inline(never)
    private func idleInput(_ received: [UInt8]?) -> Bool {
        guard let bytes = received, var idle = idling else {
            endIdle()
            exit = .closed
            return true
        }
        lastActivity = .now
        idle.line += bytes
        idling = idle
        guard let newline = idle.line.firstIndex(of: 0x0A) else {
            // DONE is four bytes: a line that outgrows the command line limit is not
            // a client ending IDLE, and must not grow without bound.
            guard idle.line.count > framer.limits.maximumLineLength else { return false }
            endIdle()
            send(.untagged(.condition(StatusResponse(.bye, "Line too long while idling"))))
            exit = .closed
            return true
        }
        endIdle()
        let line = idle.line
        var end = newline
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        let text = String(decoding: line[..<end], as: UTF8.self).uppercased()
        framer.append(Array(line[(newline + 1)...]))
        reportMailboxUpdates(allowExpunge: true)
        if text == "DONE" {
            complete(idle.tag, "IDLE terminated")
        } else {
            send(.tagged(tag: idle.tag, StatusResponse(.bad, "Expected DONE")))
        }
        return true
    }

    /// A wake already started finds IDLE over and leaves the changes to the next report.
    private func endIdle() {
        guard idling != nil else { return }
        _ = selected?.subscription.inbox.observe(nil)
        catchUpWithAnnouncements()
        idling = nil
    }

    /// Something is due for the idler (changes arrived, or the keepalive). Runs on
    /// the shard thread. The common case is served right here: the updates are
    /// computed, encoded and queued on the connection without a task, so a change
    /// fanned out to thousands of idlers costs no task or suspension per idler and
    /// all their sends leave in the ring's next submission. Only when the
    /// connection cannot take bytes now (its peer is slow to read, or it lives on
    /// another shard) does a short task wait for it, one at a time however many
    /// changes arrive meanwhile.
    ///
    /// `round`: the broadcaster's fan-out this wake comes from, if any; the updates
    /// are then computed against its view (``FanoutRound``).
    func wakeIdler(_ round: FanoutRound? = nil) {
        guard idling?.mayWake() == true else { return }
        serveIdleWakeNow(round)
    }

    /// Computes what is due, clearing the pending marks, and encodes it into `output`;
    /// with `sharing`, a wake that is only a size update (the usual delivery) returns
    /// the shard's shared encoding of it instead (``SizeUpdateLines``), with the
    /// responses to encode should the connection not take the bytes now.
    private func takeIdleWake(sharing: Bool, round: FanoutRound? = nil) -> (bytes: [UInt8], responses: [UntaggedResponse])? {
        catchUpWithAnnouncements()
        guard let keepalive = idling?.takeWakeMarks() else { return nil }
        let responses = takeMailboxUpdates(allowExpunge: true, round: round)
        // The round's lines are the shard's, as the subscription's are: reading them
        // from the round spares a copy of the whole selection per idler.
        if sharing, !keepalive, output.bytes.isEmpty, let lines = round?.sizeUpdateLines ?? selected?.subscription.sizeUpdateLines,
            let shared = lines.encoded(responses)
        {
            return (shared, responses)
        }
        for response in responses { send(.untagged(response)) }
        if keepalive { send(.untagged(.condition(StatusResponse(.ok, "Still here")))) }
        return nil
    }

    /// The wake without a task: queues what is due if the connection takes it now,
    /// else leaves it in `output` for a task that waits (``serveIdleWake()``).
    private func serveIdleWakeNow(_ round: FanoutRound?) {
        if let (shared, responses) = takeIdleWake(sharing: true, round: round) {
            // The same array as every other idler of the shard that heard this line.
            if connection.writeWithoutWaiting(shared) {
                enrollIdler()
                return
            }
            for response in responses { send(.untagged(response)) }
        }
        guard !output.bytes.isEmpty else {
            enrollIdler()
            return
        }
        if connection.writeWithoutWaiting(output.bytes) {
            // The connection holds the bytes now; a fresh empty buffer (no
            // allocation) rather than clearing a shared one, which would copy it.
            output = ResponseBuffer(capacity: 0)
            enrollIdler()
        } else if var idle = idling {
            idle.wakePending = true
            idling = idle
            Task(executorPreference: shard) { await self.serveIdleWake() }
        }
    }

    /// Sends what is due while idle, waiting for the connection; a no-op once the
    /// client has ended IDLE (the command loop then sends what is left in `output`).
    private func serveIdleWake() async {
        guard idling != nil else { return }
        _ = takeIdleWake(sharing: false)
        // A failed write ends the session through its pending read.
        try? await flush()
        if idling != nil {
            output.releaseCapacityIfEmpty()
            enrollIdler()
        }
    }
}
