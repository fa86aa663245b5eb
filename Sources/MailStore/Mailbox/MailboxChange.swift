import Synchronization

/// A change to a mailbox, published once it is durable, for IDLE and for other
/// sessions that have the mailbox selected.
public enum MailboxChange: Sendable, Equatable {
    /// New messages; `highestModSeq` is the mailbox's after the append.
    case appended(UIDSet, highestModSeq: ModSeq)
    /// Flags of these messages changed; each now has MODSEQ `modSeq`.
    case flagsChanged(UIDSet, modSeq: ModSeq)
    /// These messages are gone (EXPUNGE / VANISHED), at MODSEQ `modSeq`.
    case expunged(UIDSet, modSeq: ModSeq)
}

/// A change with its position in the mailbox's event stream. Positions are
/// consecutive; a gap means the subscriber fell behind its buffer and must resync
/// from the index (e.g. with `MailboxView.changes(since:)`).
public struct MailboxEvent: Sendable, Equatable {
    public var position: UInt64
    public var change: MailboxChange
}

/// Fans a mailbox's changes out to its subscribers. Yielding to an `AsyncStream`
/// never blocks, and each stream buffers at most its limit (keeping the newest), so
/// a slow or dead subscriber never holds up the writer.
final class ChangeHub: Sendable {
    private struct State {
        var nextSubscriber = 0
        var position: UInt64 = 0
        var subscribers: [Int: AsyncStream<MailboxEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())

    func subscribe(bufferLimit: Int) -> AsyncStream<MailboxEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MailboxEvent.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id = state.withLock { state in
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ changes: [MailboxChange]) {
        state.withLock { state in
            for change in changes {
                state.position += 1
                let event = MailboxEvent(position: state.position, change: change)
                for continuation in state.subscribers.values { continuation.yield(event) }
            }
        }
    }

    func finishAll() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
    }
}
