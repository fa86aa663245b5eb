/// What waits to go out on one connection, in order.
///
/// Invariant: a queued byte array is never mutated while it is queued, so the
/// address of its storage that a send in flight uses stays valid; the queue holds
/// the array (and so its storage) until the kernel reports the bytes sent.
///
/// The last items may be *held* (`appendHeld`): a response's head and body whose
/// writer promised more bytes right behind them (the response's close, the
/// command's completion). Held items are not sendable until something is queued
/// after them or `releaseHeld()` is called, so body and tail leave in one burst
/// instead of the peer waking for the body and again for its tail. Only the last
/// pair is ever held: appending anything releases it, so a long response streams.
struct OutputQueue {
    enum Item {
        /// Bytes, of which the first `sent` have gone out.
        case bytes([UInt8], sent: Int)
        case file(FileSource)
    }

    private var items: [Item] = []
    private var head = 0
    /// Where the held items start (they run to the end), or nil when none is held.
    private var heldFrom: Int?
    /// Bytes queued and not yet sent (file ranges count in full).
    private(set) var pendingBytes = 0

    /// Where the items' storage lies, found without reading it (a prefetch hint).
    var storageAddress: UnsafeRawPointer? { items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }

    /// Nothing queued, held items included.
    var isEmpty: Bool { head == items.count }
    /// Whether an item can be sent now: one is queued and it is not held.
    var hasSendable: Bool { head < sendableEnd }
    /// The next item to send (never a held one).
    var first: Item? { hasSendable ? items[head] : nil }
    private var sendableEnd: Int { heldFrom ?? items.count }

    /// Queues bytes; releases held items, which these now follow.
    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        heldFrom = nil
        items.append(.bytes(bytes, sent: 0))
        pendingBytes += bytes.count
    }

    /// Queues a file range; releases held items, which it now follows.
    mutating func append(_ source: FileSource) {
        guard source.unread > 0 else { return }
        heldFrom = nil
        pendingBytes += source.unread
        items.append(.file(source))
    }

    /// Queues `prefix` and `source` held: neither is sendable until something is
    /// queued after them or `releaseHeld()` is called. Items held before are released
    /// (they are followed now).
    mutating func appendHeld(_ prefix: [UInt8], _ source: FileSource) {
        let start = items.count
        append(prefix)
        append(source)
        if items.count > start { heldFrom = start }
    }

    /// Makes held items sendable; false when none was held.
    @discardableResult
    mutating func releaseHeld() -> Bool {
        guard heldFrom != nil else { return false }
        heldFrom = nil
        return true
    }

    /// The leading byte item when it is the only thing that one gathered send would
    /// take (the common case: a single response), without building a list.
    var soleLeadingBytes: (array: [UInt8], offset: Int)? {
        guard head < sendableEnd, case .bytes(let array, let sent) = items[head] else { return nil }
        if head + 1 < sendableEnd, case .bytes = items[head + 1] { return nil }
        return (array, sent)
    }

    /// The file range right after the leading byte item (a response's head before its
    /// body), or nil.
    var fileAfterLeadingBytes: FileSource? {
        guard head + 1 < sendableEnd, case .bytes = items[head], case .file(let source) = items[head + 1] else { return nil }
        return source
    }

    /// Whether bytes are sendable right behind the leading file range (a response's
    /// close behind its body).
    var bytesFollowLeadingFile: Bool {
        guard head + 1 < sendableEnd, case .file = items[head], case .bytes = items[head + 1] else { return false }
        return true
    }

    /// The byte items right behind the leading byte item and the file range after it
    /// (a response's close and completion behind its head and body), at most `limit`:
    /// how many and their unsent bytes; (0, 0) when the second item is not a file
    /// range or nothing sendable follows it. `tailItem(_:)` gives each; nothing is
    /// gathered into an array (this runs once per FETCH).
    func tailAfterLeadingBytesAndFile(limit: Int) -> (count: Int, bytes: Int) {
        guard head + 2 < sendableEnd, case .bytes = items[head], case .file = items[head + 1] else { return (0, 0) }
        var count = 0
        var bytes = 0
        var index = head + 2
        while index < sendableEnd && count < limit {
            guard case .bytes(let array, let sent) = items[index] else { break }
            count += 1
            bytes += array.count - sent
            index += 1
        }
        return (count, bytes)
    }

    /// The `index`th byte item counted by `tailAfterLeadingBytesAndFile` (its array and
    /// the bytes of it already sent).
    func tailItem(_ index: Int) -> (array: [UInt8], offset: Int) {
        guard case .bytes(let array, let sent) = items[head + 2 + index] else {
            preconditionFailure("not a byte item behind the leading bytes and file")
        }
        return (array, sent)
    }

    /// Up to `limit` leading byte items (unsent parts), for one gathered send.
    func leadingBytes(limit: Int) -> [(array: [UInt8], offset: Int)] {
        var result: [(array: [UInt8], offset: Int)] = []
        var index = head
        while index < sendableEnd && result.count < limit {
            guard case .bytes(let array, let sent) = items[index] else { break }
            result.append((array, sent))
            index += 1
        }
        return result
    }

    /// Marks `count` bytes of leading byte items as sent, dropping finished ones.
    mutating func consumeBytes(_ count: Int) {
        var remaining = count
        pendingBytes -= count
        while remaining > 0, head < items.count, case .bytes(let array, let sent) = items[head] {
            let left = array.count - sent
            if remaining >= left {
                remaining -= left
                items[head] = .bytes([], sent: 0)
                head += 1
            } else {
                items[head] = .bytes(array, sent: sent + remaining)
                remaining = 0
            }
        }
        compactIfDrained()
    }

    /// Records `count` bytes of the leading file range as sent; drops it when done.
    mutating func consumeFile(_ count: Int) {
        pendingBytes -= count
        if case .file(let source) = first, source.isDone {
            items[head] = .bytes([], sent: 0)
            head += 1
        }
        compactIfDrained()
    }

    /// Forgets everything (the connection is gone); file descriptors close with it.
    mutating func removeAll() {
        items.removeAll()
        head = 0
        heldFrom = nil
        pendingBytes = 0
    }

    private mutating func compactIfDrained() {
        // Held items are never sent, so `head` never passes `heldFrom`.
        assert(heldFrom.map { head <= $0 } ?? true)
        if head == items.count {
            items.removeAll(keepingCapacity: items.count <= 64)
            head = 0
        } else if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            heldFrom = heldFrom.map { $0 - head }
            head = 0
        }
    }
}
