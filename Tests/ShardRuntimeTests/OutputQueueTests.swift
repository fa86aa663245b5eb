import Testing
@testable import ShardRuntime

/// The output queue's held items, without sockets: a held head and body are not
/// sendable until something is queued behind them or they are released; only the
/// last pair is held; compaction of sent items keeps the held ones where they were.
struct OutputQueueTests {
    final class Owner: Sendable {}

    private func body(_ count: Int) -> FileSource {
        FileSource(owned: FileRange(descriptor: -1, offset: 0, count: count, owner: Owner()))
    }

    private func leadingBytes(_ queue: OutputQueue) -> [UInt8]? {
        guard case .bytes(let array, let sent)? = queue.first else { return nil }
        return Array(array[sent...])
    }

    @Test func aHeldPairWaitsUntilSomethingFollowsIt() {
        var queue = OutputQueue()
        queue.appendHeld(Array("head".utf8), body(100))
        #expect(!queue.hasSendable && !queue.isEmpty && queue.first == nil)
        #expect(queue.soleLeadingBytes == nil && queue.fileAfterLeadingBytes == nil && queue.leadingBytes(limit: 8).isEmpty)
        #expect(queue.pendingBytes == 104)
        queue.append(Array("tail".utf8))
        #expect(queue.hasSendable)
        #expect(leadingBytes(queue) == Array("head".utf8))
        #expect(queue.fileAfterLeadingBytes != nil, "the head knows its body follows")
        #expect(!queue.bytesFollowLeadingFile, "the head leads, not the body")
        queue.consumeBytes(4)
        #expect(queue.bytesFollowLeadingFile, "the body knows its tail is queued behind it")
    }

    /// A body with nothing queued behind it, or held tail-less, or followed by another
    /// body, has no tail to cork for.
    @Test func onlyQueuedBytesRightBehindTheLeadingBodyCountAsItsTail() {
        var queue = OutputQueue()
        queue.append(body(10))
        #expect(!queue.bytesFollowLeadingFile)
        queue.append(body(20))
        #expect(!queue.bytesFollowLeadingFile)
        var held = OutputQueue()
        held.appendHeld([], body(30))
        held.consumeBytes(0)
        #expect(!held.bytesFollowLeadingFile, "held items are not sendable")
    }

    @Test func onlyTheLastPairIsHeld() {
        var queue = OutputQueue()
        queue.appendHeld(Array("head 1".utf8), body(10))
        queue.appendHeld(Array(")head 2".utf8), body(20))
        #expect(leadingBytes(queue) == Array("head 1".utf8))
        queue.consumeBytes(6)
        queue.consumeFile(0)  // the body is not done: it stays first
        guard case .file(let first)? = queue.first else {
            Issue.record("the first body is sendable")
            return
        }
        first.unread = 0
        queue.consumeFile(10)
        #expect(!queue.hasSendable, "the second pair is held")
        let released = queue.releaseHeld()
        let releasedAgain = queue.releaseHeld()
        #expect(released)
        #expect(!releasedAgain, "nothing held any more")
        #expect(leadingBytes(queue) == Array(")head 2".utf8))
    }

    @Test func compactionKeepsHeldItemsHeld() {
        var queue = OutputQueue()
        for index in 0..<100 { queue.append(Array("line \(index)\r\n".utf8)) }
        queue.appendHeld(Array("head".utf8), body(50))
        var sent = 0
        while let bytes = leadingBytes(queue) {
            queue.consumeBytes(bytes.count)
            sent += 1
        }
        #expect(sent == 100, "every line went, compacting on the way; the held head did not")
        #expect(!queue.hasSendable && queue.pendingBytes == 54)
        queue.append(Array("tail".utf8))
        #expect(leadingBytes(queue) == Array("head".utf8))
        queue.consumeBytes(4)
        guard case .file(let source)? = queue.first else {
            Issue.record("the body follows its head")
            return
        }
        #expect(source.unread == 50)
    }
}
