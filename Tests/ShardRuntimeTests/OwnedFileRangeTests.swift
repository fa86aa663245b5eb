import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// A file range with an owner is sent from the caller's descriptor without a `dup`:
/// the connection holds the owner until the range is sent, never closes the
/// descriptor itself, and lets the owner go afterwards.
struct OwnedFileRangeTests {
    /// Keeps a descriptor open while it lives (as a `MessageFile` does).
    final class DescriptorOwner: Sendable {
        let descriptor: Int32
        init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(descriptor) }
    }

    final class RangeSlot: Sendable {
        let range = Mutex<FileRange?>(nil)
    }

    @Test func theOwnerKeepsTheDescriptorUntilTheRangeIsSent() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let path = "/tmp/mailshard-owned-\(getpid())"
        defer { unlink(path) }
        let body = pattern(41, count: 300_000)
        let writer = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await writer.write(body, at: 0)
        try await writer.close()
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        #expect(descriptor >= 0)
        // Only the slot holds the range (and its owner); the handler takes it out, so
        // once the connection is done with it nothing keeps the owner alive.
        let slot = RangeSlot()
        weak var released: DescriptorOwner?
        do {
            let owner = DescriptorOwner(descriptor: descriptor)
            released = owner
            let range = FileRange(descriptor: descriptor, offset: 7, count: 250_000, owner: owner)
            #expect(range == FileRange(descriptor: descriptor, offset: 7, count: 250_000, owner: owner))
            #expect(range != FileRange(descriptor: descriptor, offset: 7, count: 250_000))
            slot.range.withLock { $0 = range }
        }
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let range = slot.range.withLock({ $0.take() }) else { return }
            try? await connection.write(range)
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 400_000)
        #expect(received.elementsEqual(body[7..<250_007]))
        for _ in 0..<1000 where released != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(released == nil, "the connection let the owner go once the range was sent")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    @Test func theConnectionNeverClosesABorrowedDescriptor() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let path = "/tmp/mailshard-borrowed-\(getpid())"
        defer { unlink(path) }
        let body = pattern(42, count: 100_000)
        let writer = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await writer.write(body, at: 0)
        try await writer.close()
        let owner = DescriptorOwner(descriptor: open(path, O_RDONLY | O_CLOEXEC))
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.write(FileRange(descriptor: owner.descriptor, offset: 0, count: 100_000, owner: owner))
        }
        for _ in 0..<3 {
            let client = try LoopbackClient(port: port)
            #expect(client.receiveUntilClosed(limit: 200_000).elementsEqual(body))
        }
        #expect(fcntl(owner.descriptor, F_GETFD) >= 0, "still open: only its owner closes it")
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
