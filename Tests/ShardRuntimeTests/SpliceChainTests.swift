import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// A file range goes out as chains of linked splice pairs, each chunk ending on a
/// page boundary of the file: the bytes arrive exactly, whatever the range's offset
/// and length against pages and pipe-fulls, and a range that the socket takes at
/// once costs one pool borrow per chain of up to `maxLinkedSplicePairs` pipe-fulls,
/// not one per pipe-full (a body at an odd offset in a pack included).
struct SpliceChainTests {
    static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// (offset, count) in the file, with a pipe of one page.
    static let ranges: [(Int, Int)] = [
        (0, 1), (0, page), (0, page + 1), (1, page), (page - 1, 2), (17, 8 * page),
        (0, 8 * page), (0, 8 * page + 1), (page / 2, 8 * page), (5, 17 * page + 5),
    ]

    @Test(arguments: ranges)
    func rangesArriveExactlyInOneStepPerChain(offset: Int, count: Int) async throws {
        var settings = testSettings(shards: 1)
        settings.splicePipeSize = Self.page
        settings.splicePipesPerShard = 1
        settings.inlineFileSendLimit = 0  // the splice chain under test, even for cached files
        let runtime = try ShardRuntime(settings: settings)
        let shard = runtime.shards[0]
        let path = "/tmp/mailshard-chain-\(getpid())-\(offset)-\(count)"
        defer { unlink(path) }
        let body = pattern(31, count: offset + count + Self.page)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: shard)
        try await file.write(body, at: 0)
        let descriptor = file.descriptor
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await connection.write(Array("<".utf8))
            try? await connection.write(FileRange(descriptor: descriptor, offset: UInt64(offset), count: count))
            try? await connection.write(Array(">".utf8))
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: count + 100)
        #expect(received.count == count + 2)
        #expect(received.elementsEqual(Array("<".utf8) + body[offset..<(offset + count)] + Array(">".utf8)))
        let counts = await shard.splicePipeCounts()
        let pages = (offset + count - 1) / Self.page - offset / Self.page + 1
        let chains = (pages + Connection.maxLinkedSplicePairs - 1) / Connection.maxLinkedSplicePairs
        #expect(counts.created == 1)
        #expect(counts.created + counts.reused == chains, "one borrow per chain of page-aligned chunks")
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
