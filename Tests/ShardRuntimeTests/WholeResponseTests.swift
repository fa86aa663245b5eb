import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// A response whose head, cached body and tail are all queued leaves in one splice
/// from the shard's assembly pipe (Connection+WholeResponse). What must hold: the
/// bytes on the wire are exactly head, body and tail, for bodies starting anywhere in
/// a page and tails of several items; a socket that takes only part of it (EAGAIN)
/// gets the rest by the steps, in order, with nothing left in the pipe; a range past
/// the end of its file ends the connection as the steps do.
struct WholeResponseTests {
    private func settings(fixedFiles: Bool) -> RuntimeSettings {
        inlineSendSettings(fixedFiles: fixedFiles)
    }

    private func makeFile(_ name: String, seed: Int, count: Int) throws -> (OwnedFileRangeTests.DescriptorOwner, [UInt8]) {
        let (descriptor, body) = try patternFile("whole-\(name)", seed: seed, count: count)
        return (OwnedFileRangeTests.DescriptorOwner(descriptor: descriptor), body)
    }

    private func head(_ number: Int, _ count: Int) -> [UInt8] {
        Array("* \(number) FETCH (UID \(number * 7) BODY[] {\(count)}\r\n".utf8)
    }

    /// (whole responses spliced, of them cut short, bytes left in the assembly pipe).
    private func counts(_ connection: Connection) async -> (spliced: Int, cut: Int, inPipe: Int) {
        await withUnsafeContinuation { continuation in
            connection.shard.execute {
                let inPipe = connection.shard.assemblyPipe?.bufferedBytes ?? 0
                continuation.resume(returning: (connection.wholeResponsesSpliced, connection.wholeResponsesCut, inPipe))
            }
        }
    }

    /// Makes the inline descriptor ready (installed through the ring for a registered
    /// socket) with a first range; its bytes are `warm` + the file's first 1,000.
    private func warmUp(_ connection: Connection, _ owner: OwnedFileRangeTests.DescriptorOwner) async throws {
        try await connection.write(Array("warm ".utf8), then: FileRange(descriptor: owner.descriptor, offset: 0, count: 1_000, owner: owner))
        try await connection.flush()
    }

    /// Bodies at offsets across a page (aligned, one byte in, one byte short of the next
    /// page, a page and a bit) and of sizes from a few bytes to a few pages past the
    /// first segment, each with a tail of two items: exact bytes, in order.
    @Test(arguments: [true, false])
    func wholeResponsesArriveExactlyAsQueued(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("exact-\(fixedFiles)", seed: 81, count: 300_000)
        let observations = ServedConnection()
        let cases: [(offset: Int, count: Int)] = [(0, 102_400), (1, 102_400), (4095, 102_400), (4097, 65_000),
                                                  (639, 3_457), (8_000, 10), (12_288, 4_096), (5, 200_000)]
        let close = Array(")\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            observations.connection.withLock { $0 = connection }
            do {
                try await warmUp(connection, owner)
                for (index, item) in cases.enumerated() {
                    let range = FileRange(descriptor: owner.descriptor, offset: UInt64(item.offset), count: item.count, owner: owner)
                    try await connection.write(head(index + 1, item.count), then: range, tailFollows: true)
                    try await connection.write(close)
                    try await connection.write(Array("F\(index) OK done\r\n".utf8))
                }
                try await connection.flush()
                await observations.awaitClient()
            } catch {
                observations.failure.store(true, ordering: .releasing)
            }
        }
        let client = try LoopbackClient(port: port)
        var expected = Array("warm ".utf8) + body[0..<1_000]
        for (index, item) in cases.enumerated() {
            expected += head(index + 1, item.count) + body[item.offset..<(item.offset + item.count)] + close
            expected += Array("F\(index) OK done\r\n".utf8)
        }
        let received = client.receive(count: expected.count)
        #expect(received.count == expected.count)
        #expect(received.elementsEqual(expected))
        let connection = try #require(observations.connection.withLock { $0 })
        let state = await counts(connection)
        #expect(state.spliced >= 1, "responses went whole")
        #expect(state.inPipe == 0, "the assembly pipe is left empty")
        observations.clientDone.store(true, ordering: .releasing)
        #expect(!observations.failed)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that reads nothing while responses pile up: a whole response is cut
    /// where the socket filled, the rest of it (body and tail) follows by the steps,
    /// and once the peer reads, every byte arrives in order.
    @Test(arguments: [true, false])
    func aResponseTheSocketTakesInPartGoesOnByTheSteps(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: fixedFiles))
        let (owner, body) = try makeFile("cut-\(fixedFiles)", seed: 82, count: 300_000)
        let observations = ServedConnection()
        let rounds = 12
        let tail = Array(")\r\nF OK done\r\n".utf8)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            observations.connection.withLock { $0 = connection }
            do {
                try await warmUp(connection, owner)
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    connection.shard.execute {
                        if case .ready(let socket, _) = connection.inlineSocket {
                            var size: Int32 = 64 * 1024
                            setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                        }
                        continuation.resume()
                    }
                }
                for round in 0..<rounds {
                    let range = FileRange(descriptor: owner.descriptor, offset: UInt64(round * 13), count: 150_000, owner: owner)
                    try await connection.write(head(round + 1, 150_000), then: range, tailFollows: true)
                    try await connection.write(tail)
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
        try await Task.sleep(for: .milliseconds(200))
        var expected: [UInt8] = []
        for round in 0..<rounds {
            expected += head(round + 1, 150_000) + body[(round * 13)..<(round * 13 + 150_000)] + tail
        }
        let received = client.receive(count: expected.count)
        #expect(received.count == expected.count)
        #expect(received.elementsEqual(expected))
        let connection = try #require(observations.connection.withLock { $0 })
        let state = await counts(connection)
        #expect(state.cut >= 1, "a whole response met the full socket")
        #expect(state.inPipe == 0, "what the socket did not take left the pipe")
        observations.clientDone.store(true, ordering: .releasing)
        #expect(!observations.failed)
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// A range running past the end of its file: the response is not sent whole, and
    /// the connection ends after the bytes the file has, as by the steps.
    @Test func aRangePastTheEndOfItsFileEndsTheConnection() async throws {
        let runtime = try ShardRuntime(settings: settings(fixedFiles: true))
        let (owner, body) = try makeFile("short", seed: 83, count: 50_000)
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            try? await warmUp(connection, owner)
            let range = FileRange(descriptor: owner.descriptor, offset: 100, count: 80_000, owner: owner)
            try? await connection.write(head(1, 80_000), then: range, tailFollows: true)
            try? await connection.write(Array(")\r\n".utf8))
            try? await connection.flush()
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 1_000_000)
        let prefix = Array("warm ".utf8) + body[0..<1_000] + head(1, 80_000)
        #expect(received.count < prefix.count + 80_000, "the missing bytes were not made up")
        #expect(received.starts(with: prefix))
        #expect(received.count <= prefix.count + 49_900 && received[prefix.count...].elementsEqual(body[100..<(100 + received.count - prefix.count)]))
        await runtime.shutdown(gracePeriod: .seconds(5))
    }
}
