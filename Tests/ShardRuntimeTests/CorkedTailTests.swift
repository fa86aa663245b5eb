import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// How an inline body is cut and corked (Connection+InlineFileOutput): its first
/// sendfile ends at the first segment's page boundary, its last one runs under
/// TCP_CORK when the response's tail is queued behind it, and the tail's send clears
/// the cork. What must hold: every byte arrives, in order, for any offset and size
/// around the cut; the tail rides in the corked segment; and the socket is never left
/// corked, not even when the corked sendfile stops at a full socket (EAGAIN), so a
/// response never waits for a later command or the kernel's 200 ms cork timer.
/// (Responses the shard's assembly pipe holds leave in one splice instead,
/// WholeResponseTests; the ones here are either larger or come by the same bytes.)
struct CorkedTailTests {
    private func settings(fixedFiles: Bool) -> RuntimeSettings {
        inlineSendSettings(fixedFiles: fixedFiles)
    }

    private func makeFile(_ name: String, seed: Int, count: Int) throws -> (OwnedFileRangeTests.DescriptorOwner, [UInt8]) {
        let (descriptor, body) = try patternFile("corked-\(name)", seed: seed, count: count)
        return (OwnedFileRangeTests.DescriptorOwner(descriptor: descriptor), body)
    }

    private func head(_ number: Int, _ count: Int) -> [UInt8] {
        Array("* \(number) FETCH (BODY[] {\(count)}\r\n".utf8)
    }

    private func tail(_ number: Int) -> [UInt8] {
        Array(")\r\nF\(number) OK FETCH completed\r\n".utf8)
    }

    /// TCP_CORK as the kernel has it on the connection's inline descriptor, the
    /// connection's own flag, and how many tails left corked; nil before the inline
    /// descriptor is ready.
    private func corkState(_ connection: Connection) async -> (kernel: Int32, flag: Bool, corkedTails: Int)? {
        await withUnsafeContinuation { continuation in
            connection.shard.execute {
                guard case .ready(let socket, _) = connection.inlineSocket else {
                    continuation.resume(returning: nil)
                    return
                }
                var value: Int32 = -1
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, &length)
                continuation.resume(returning: (value, connection.socketCorked, connection.corkedTails))
            }
        }
    }

    /// (offset, bytes to the 15th page boundary after the first one), 4 KiB pages.
    static let cuts: [(UInt64, Int)] = [(0, 65_536), (17, 65_519), (4095, 61_441), (4096, 65_536), (8831, 64_897)]

    @Test(arguments: cuts)
    func theFirstCutEndsFifteenPagesAfterTheFirstPageBoundary(offset: UInt64, expected: Int) {
        #expect(Connection.firstSegmentBytes(at: offset) == expected)
    }

    /// Back-to-back responses whose bodies start anywhere in a page and end before,
    /// at, just past and far past the first cut: each arrives whole and in order, every
    /// tail left in its body's corked segment, and the socket ends uncorked.
    @Test(arguments: [true, false])
    func bodiesAroundTheCutArriveWholeWithTheirTailsCorked(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("cut-\(fixedFiles)", seed: 71, count: 700_000)
        let observations = ServedConnection()
        let offsets: [UInt64] = [17, 4096, 639, 4095, 1, 12_345]
        let cut = Connection.firstSegmentBytes
        // The last is larger than the assembly pipe: it takes the cut and the cork.
        let counts = [cut(17) - 1, cut(4096), cut(639) + 1, 102_400, 300, 600_000]
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            observations.connection.withLock { $0 = connection }
            do {
                // Makes the inline descriptor ready (installed through the ring for a
                // registered socket); its tail is the first response's.
                try await connection.write(Array("warm ".utf8), then: FileRange(descriptor: owner.descriptor, offset: 0, count: 1_000, owner: owner))
                try await connection.flush()
                for (index, offset) in offsets.enumerated() {
                    let range = FileRange(descriptor: owner.descriptor, offset: offset, count: counts[index], owner: owner)
                    try await connection.write(head(index + 1, counts[index]), then: range, tailFollows: true)
                    try await connection.write(tail(index + 1))
                }
                try await connection.flush()
                await observations.awaitClient()
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        var expected = Array("warm ".utf8) + body[0..<1_000]
        for (index, offset) in offsets.enumerated() {
            expected += head(index + 1, counts[index]) + body[Int(offset)..<(Int(offset) + counts[index])] + tail(index + 1)
        }
        let received = client.receive(count: expected.count)
        #expect(received.count == expected.count)
        #expect(received.elementsEqual(expected))
        let connection = try #require(observations.connection.withLock { $0 })
        let state = try #require(await corkState(connection))
        #expect(state.kernel == 0 && !state.flag, "the socket is not left corked")
        // A tail whose inline send met a full socket goes by the ring, uncorked.
        #expect(state.corkedTails >= 1, "tails left in their body's corked segment")
        observations.clientDone.store(true, ordering: .releasing)
        #expect(!observations.failed)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A body far larger than the socket takes, to a peer that reads nothing at first:
    /// the corked last sendfile stops at EAGAIN, the step waits for POLLOUT, and in
    /// between the socket is not corked. Once the peer reads, the whole response,
    /// tail included, arrives without any later write or command.
    @Test(arguments: [true, false])
    func aCorkedSendStoppedByAFullSocketLeavesItUncorked(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("full-\(fixedFiles)", seed: 72, count: 900_000)
        let observations = ServedConnection()
        let corkedWhileWaiting = Atomic<Int>(-1)
        let count = 880_000
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            observations.connection.withLock { $0 = connection }
            do {
                try await connection.write(Array("warm ".utf8), then: FileRange(descriptor: owner.descriptor, offset: 0, count: 1_000, owner: owner))
                try await connection.flush()
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    connection.shard.execute {
                        if case .ready(let socket, _) = connection.inlineSocket {
                            var size: Int32 = 64 * 1024
                            setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                        }
                        continuation.resume()
                    }
                }
                let range = FileRange(descriptor: owner.descriptor, offset: 3, count: count, owner: owner)
                try await connection.write(head(1, count), then: range, tailFollows: true)
                try await connection.write(tail(1))
                // The socket is full now (the peer reads nothing yet): the step waits.
                try await Task.sleep(for: .milliseconds(100))
                if let state = await corkState(connection) {
                    corkedWhileWaiting.store(Int(state.kernel) + (state.flag ? 10 : 0), ordering: .releasing)
                }
                try await connection.flush()
                await observations.awaitClient()
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        client.setReceiveBuffer(64 * 1024)
        let warm = client.receive(count: 1_005)
        #expect(warm.elementsEqual(Array("warm ".utf8) + body[0..<1_000]))
        try await Task.sleep(for: .milliseconds(300))
        let expected = head(1, count) + body[3..<(3 + count)] + tail(1)
        let received = client.receive(count: expected.count)
        #expect(received.count == expected.count)
        #expect(received.elementsEqual(expected))
        let corked = corkedWhileWaiting.load(ordering: .acquiring)
        #expect(corked == 0, "not corked while waiting for POLLOUT")
        let connection = try #require(observations.connection.withLock { $0 })
        let waits = await withUnsafeContinuation { continuation in
            connection.shard.execute { continuation.resume(returning: connection.writableWaits) }
        }
        #expect(waits > 0, "the socket filled and the step waited for POLLOUT")
        let state = try #require(await corkState(connection))
        #expect(state.kernel == 0 && !state.flag)
        observations.clientDone.store(true, ordering: .releasing)
        #expect(!observations.failed)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
