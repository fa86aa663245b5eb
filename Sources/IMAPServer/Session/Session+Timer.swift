import IMAPCodec
import ShardRuntime

/// The session's one timer: autologout (RFC 9051 section 5.4: at least 30 minutes
/// once authenticated; a shorter, configurable limit before login, both counted
/// from the last bytes received) and, while in IDLE, the keepalive.
///
/// A ``ShardTimer`` in the shard's queue, not a task sleeping per session: an idle
/// session then holds one small timer object and no task of its own besides the
/// one serving it. The timer fires on the shard thread between jobs; what it finds
/// due that needs I/O (the BYE, a keepalive) runs in a short task started then.
extension Session {
    func startTimer() {
        timer?.invalidate()
        // The action keeps the session alive while scheduled; `stopTimer` breaks that.
        timer = ShardTimer(on: shard) { [self] in
            self.assumeIsolated { $0.timerExpired() }
        }
        armTimer()
    }

    func stopTimer() {
        timer?.invalidate()
        timer = nil
    }

    /// When the client is logged out unless it sends something first.
    var autologoutDeadline: ContinuousClock.Instant {
        lastActivity + (machine.isAuthenticated ? context.settings.authenticatedTimeout : context.settings.loginTimeout)
    }

    /// Schedules the timer for whichever comes first: autologout or the keepalive.
    /// Input does not reschedule it: a fire finds how long the client has been quiet.
    func armTimer() {
        guard let timer else { return }
        var deadline = autologoutDeadline
        if let idling { deadline = min(deadline, idling.keepaliveDue) }
        timer.schedule(at: deadline)
    }

    private func timerExpired() {
        let now = ContinuousClock.now
        if now >= autologoutDeadline {
            // Preferring the shard, as every task on it does: its hops onto the session
            // then continue inline (ShardWork.run).
            Task(executorPreference: shard) { await self.autologout() }
            return
        }
        if var idle = idling, now >= idle.keepaliveDue {
            idle.keepaliveDue = now + context.settings.idleKeepalive
            idle.keepalivePending = true
            idling = idle
            wakeIdler()
        }
        armTimer()
    }

    /// Says BYE and closes the connection; the session's read then ends.
    private func autologout() async {
        // Bytes may have arrived since the timer fired.
        guard ContinuousClock.now >= autologoutDeadline else {
            armTimer()
            return
        }
        context.logger.info("autologout of \(machine.user ?? "unauthenticated connection") from \(peer)")
        // Nothing may reach the client after the BYE: leave the shard's announcement table.
        catchUpWithAnnouncements()
        send(.untagged(.condition(StatusResponse(.bye, "Autologout; idle for too long"))))
        try? await flush()
        await connection.close()
    }
}
