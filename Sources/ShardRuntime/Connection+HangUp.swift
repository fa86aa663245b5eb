import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A request to hear, once, that a connection's peer is gone while nothing reads
/// from it: a long command (a SEARCH over many messages) runs between two reads,
/// and without this the session would learn of a hang-up only at its next read,
/// after doing all the work for nobody.
///
/// Made by `Connection.watchHangUp(_:)`; `cancel()` it when the command ends.
public final class HangUpWatch: Sendable {
    let connection: Connection
    let onHangUp: @Sendable (ConnectionError) -> Void

    init(connection: Connection, onHangUp: @escaping @Sendable (ConnectionError) -> Void) {
        self.connection = connection
        self.onHangUp = onHangUp
    }

    /// Ends the watch; its handler is not called after this has run on the
    /// connection's shard (at once when called there). Idempotent.
    public func cancel() {
        connection.shard.execute { [self] in connection.disarm(self) }
    }
}

/// Peer closed its side (FIN: POLLRDHUP, 0x2000 on Linux, which Glibc's Swift
/// overlay does not export), reset the connection, or the socket failed.
private let peerGoneEvents = UInt32(0x2000) | UInt32(POLLHUP) | UInt32(POLLERR)

extension Connection {
    /// Calls `onHangUp` once, on the shard thread, when the peer closes its side
    /// of the connection or resets it (`.closed`), the connection is closed or
    /// dropped here (its reason), or the runtime begins to stop (`.shuttingDown`),
    /// whichever comes first while the watch lasts; at once if one already has.
    ///
    /// While armed, the watch is one poll on the shard's ring for the peer's
    /// hang-up only: bytes the client pipelines meanwhile do not fire it and stay
    /// in the socket for the next read. A peer that only half-closes (shuts down
    /// its sending side and still reads) counts as gone: the session would end at
    /// its next read anyway.
    public func watchHangUp(_ onHangUp: @escaping @Sendable (ConnectionError) -> Void) -> HangUpWatch {
        let watch = HangUpWatch(connection: self, onHangUp: onHangUp)
        shard.execute { self.arm(watch) }
        return watch
    }

    private func arm(_ watch: HangUpWatch) {
        if peerClosed || failure != nil {
            watch.onHangUp(peerClosed ? .closed : failure!)
            return
        }
        if shutdownRequested {
            watch.onHangUp(.shuttingDown)
            return
        }
        let socket = descriptor
        let key = ObjectIdentifier(watch)
        let poll = shard.submit({ sqe in
            io_uring_prep_poll_add(sqe, socket.rawValue, peerGoneEvents)
            socket.target(sqe)
        }) { [self, watch] _, _ in
            // Still armed: the poll fired, or failed on a socket that no longer
            // works; either way nobody is listening any more. Disarmed watches
            // were taken out before their poll was cancelled. The closure holds
            // the watch, so its identifier is not reused by a newer watch while
            // this poll can still complete.
            if hangUpWatches[key]?.watch === watch, let entry = hangUpWatches.removeValue(forKey: key) {
                entry.watch.onHangUp(.closed)
            }
            return true
        }
        hangUpWatches[key] = (watch, poll)
    }

    func disarm(_ watch: HangUpWatch) {
        guard let entry = hangUpWatches.removeValue(forKey: ObjectIdentifier(watch)) else { return }
        shard.cancelOperation(entry.poll)
    }

    /// The connection is ending or the runtime stopping: every watch hears `reason`.
    func endHangUpWatches(_ reason: ConnectionError) {
        guard !hangUpWatches.isEmpty else { return }
        let entries = hangUpWatches.values
        hangUpWatches.removeAll()
        for entry in entries {
            shard.cancelOperation(entry.poll)
            entry.watch.onHangUp(reason)
        }
    }
}
