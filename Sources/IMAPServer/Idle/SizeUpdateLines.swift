import IMAPCodec
import Synchronization

/// The encoded `* n EXISTS` (with IMAP4rev1's `* m RECENT`) lines of one shard, shared
/// by its sessions: a message appended to a mailbox with 10,000 idlers on the shard
/// wakes them all with the same few lines (every idler that knew the mailbox hears
/// the same EXISTS; one of them claims `\Recent` and hears `RECENT 1`, the others
/// `RECENT 0`), so the lines are encoded once per distinct text, and each session
/// queues the same array (a retain) instead of encoding and allocating its own copy.
///
/// Sessions share only an identical line: the key is the exact pair of numbers, so a
/// session whose sequence numbers differ (it had not yet heard of an expunge, say)
/// gets its own encoding. A few entries are kept, most recent first.
public final class SizeUpdateLines: Sendable {
    private struct Entry {
        var exists: UInt32
        var recent: UInt32?
        var bytes: [UInt8]
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    public init(capacity: Int = 4) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The wire bytes of `responses` when they are exactly one EXISTS, optionally
    /// followed by one RECENT (what an idler hears of an append); nil for anything else.
    func encoded(_ responses: [UntaggedResponse]) -> [UInt8]? {
        switch responses.count {
        case 1:
            guard case .exists(let exists) = responses[0] else { return nil }
            return bytes(exists: exists, recent: nil)
        case 2:
            guard case .exists(let exists) = responses[0], case .recent(let recent) = responses[1] else { return nil }
            return bytes(exists: exists, recent: recent)
        default:
            return nil
        }
    }

    /// The wire bytes of `* exists EXISTS` (and `* recent RECENT` when given).
    func bytes(exists: UInt32, recent: UInt32?) -> [UInt8] {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.exists == exists && $0.recent == recent }) {
                return entries[index].bytes
            }
            // Encoded by the same encoder the sessions use, so the bytes are exactly
            // what each session would have produced itself.
            var buffer = ResponseBuffer(capacity: 32)
            let encoder = ResponseEncoder()
            encoder.encode(.untagged(.exists(exists)), into: &buffer)
            if let recent { encoder.encode(.untagged(.recent(recent)), into: &buffer) }
            if entries.count >= capacity { entries.removeLast() }
            entries.insert(Entry(exists: exists, recent: recent, bytes: buffer.bytes), at: 0)
            return buffer.bytes
        }
    }
}
