import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// `Shard.sync(descriptor:dataOnly:)`: the flush a durable write waits for, as an
/// IORING_OP_FSYNC on the shard's ring, from the shard itself or from elsewhere.
@Suite struct RingSyncTests {
    @Test(arguments: [true, false])
    func aWrittenFileSyncsAndABadDescriptorReportsEBADF(dataOnly: Bool) async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let shard = runtime.shards[0]
        let path = "/tmp/mailshard-runtime-\(getpid())-sync-\(dataOnly)"
        let fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        #expect(write(fd, "journal record", 14) == 14)
        // Called off the shard (the test's task) and on it (a task run there).
        #expect(await shard.sync(descriptor: fd, dataOnly: dataOnly) == 0)
        let onShard = await shard.run { () async -> (Bool, Int32) in
            (shard.isCurrent, await shard.sync(descriptor: fd, dataOnly: dataOnly))
        }
        #expect(onShard.0 && onShard.1 == 0)
        #expect(await shard.sync(descriptor: -1, dataOnly: dataOnly) == -EBADF)
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}
