/// What waits to go out on one connection, in order.
///
/// Invariant: a queued byte array is never mutated while it is queued, so the
/// address of its storage that a send in flight uses stays valid; the queue holds
/// the array (and so its storage) until the kernel reports the bytes sent.
struct OutputQueue {
    enum Item {
        /// Bytes, of which the first `sent` have gone out.
        case bytes([UInt8], sent: Int)
        case file(FileSource)
    }

    private var items: [Item] = []
    private var head = 0
    /// Bytes queued and not yet sent (file ranges count in full).
    private(set) var pendingBytes = 0

    var isEmpty: Bool { head == items.count }
    var first: Item? { isEmpty ? nil : items[head] }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        items.append(.bytes(bytes, sent: 0))
        pendingBytes += bytes.count
    }

    mutating func append(_ source: FileSource) {
        guard source.unread > 0 else { return }
        pendingBytes += source.unread
        items.append(.file(source))
    }

    /// The leading byte item when it is the only thing that one gathered send would
    /// take (the common case: a single response), without building a list.
    var soleLeadingBytes: (array: [UInt8], offset: Int)? {
        guard head < items.count, case .bytes(let array, let sent) = items[head] else { return nil }
        if head + 1 < items.count, case .bytes = items[head + 1] { return nil }
        return (array, sent)
    }

    /// The file range right after the leading byte item (a response's head before its
    /// body), or nil.
    var fileAfterLeadingBytes: FileSource? {
        guard head + 1 < items.count, case .bytes = items[head], case .file(let source) = items[head + 1] else { return nil }
        return source
    }

    /// Up to `limit` leading byte items (unsent parts), for one gathered send.
    func leadingBytes(limit: Int) -> [(array: [UInt8], offset: Int)] {
        var result: [(array: [UInt8], offset: Int)] = []
        var index = head
        while index < items.count && result.count < limit {
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
        pendingBytes = 0
    }

    private mutating func compactIfDrained() {
        if head == items.count {
            items.removeAll(keepingCapacity: items.count <= 64)
            head = 0
        } else if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
