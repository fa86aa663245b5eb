import Testing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// Connections on registered files (direct descriptors) and on ordinary descriptors
/// (the setting off) behave the same; the table's bookkeeping follows accept, move
/// and close, and a full table falls back to ordinary descriptors.
struct FixedFileTests {
    private func settings(shards: Int, fixedFiles: Bool, slots: Int = 0) -> RuntimeSettings {
        var settings = testSettings(shards: shards)
        settings.fixedFiles = fixedFiles
        settings.fixedFileSlots = slots
        return settings
    }

    /// Reads a shard's state on its own thread.
    private func inspect<T: Sendable>(_ shard: Shard, _ read: @escaping @Sendable (Shard) -> T) async -> T {
        await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: read(shard)) }
        }
    }

    /// Slots in use per shard, once every handler has returned and its close ran.
    private func slotsInUse(_ runtime: ShardRuntime) async -> [Int] {
        for _ in 0..<500 {
            let busy = await runtime.shards.asyncMap { shard in await inspect(shard) { $0.runningHandlers } }
            if busy.allSatisfy({ $0 == 0 }) { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await runtime.shards.asyncMap { shard in await inspect(shard) { $0.fixedFilesInUse } }
    }

    /// The table never exceeds the file limit (the kernel would refuse it) and by
    /// default stays at 65,536 slots under a higher limit.
    @Test(arguments: [
        (requested: 0, limit: 20_000, slots: 20_000),
        (requested: 0, limit: 1_048_576, slots: 65_536),
        (requested: 5_000, limit: 20_000, slots: 5_000),
        (requested: 50_000, limit: 20_000, slots: 20_000),
        (requested: 200_000, limit: 1_048_576, slots: 200_000),
    ])
    func theTableSizeFollowsTheFileLimit(requested: Int, limit: Int, slots: Int) {
        #expect(Shard.fixedFileTableSize(requested: requested, fileLimit: limit) == slots)
    }

    @Test(arguments: [true, false])
    func acceptReadWriteAndPeerAddressWithTheSettingOnAndOff(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(shards: 2, fixedFiles: fixedFiles))
        #expect(runtime.shards.allSatisfy { ($0.fixedFileSlots > 0) == fixedFiles })
        let seen = Mutex<[(fixed: Bool, peer: String?)]>([])
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            let peer = await connection.peerAddress()
            seen.withLock { $0.append((connection.descriptor.isFixed, peer)) }
            while let bytes = try? await connection.read() { try? await connection.write(bytes.reversed()) }
        }
        var clients: [LoopbackClient] = []
        for index in 0..<8 {
            let client = try LoopbackClient(port: port)
            try client.send(Array("hello \(index)".utf8))
            #expect(client.receive(count: 7) == Array("hello \(index)".utf8).reversed())
            clients.append(client)
        }
        let ports = Set(clients.map { "127.0.0.1:\($0.localPort)" })
        let records = seen.withLock { $0 }
        #expect(records.count == 8)
        #expect(records.allSatisfy { $0.fixed == fixedFiles })
        #expect(Set(records.compactMap(\.peer)) == ports)
        let held = await runtime.shards.asyncMap { shard in await inspect(shard) { $0.fixedFilesInUse } }
        #expect(held.reduce(0, +) == (fixedFiles ? 8 : 0))
        clients.removeAll()
        #expect(await slotsInUse(runtime).allSatisfy { $0 == 0 })
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A file range is spliced pipe → socket with the socket as a fixed output.
    @Test(arguments: [true, false])
    func aFileRangeReachesADirectDescriptor(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(shards: 1, fixedFiles: fixedFiles))
        let path = "/tmp/mailshard-fixed-\(getpid())-\(fixedFiles)"
        defer { unlink(path) }
        let body = pattern(9, count: 300_001)
        let file = try await RingFile.open(path, flags: O_CREAT | O_TRUNC | O_RDWR, on: runtime.shards[0])
        try await file.write(body, at: 0)
        let descriptor = file.descriptor
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard connection.descriptor.isFixed == fixedFiles else { return }
            try? await connection.write(FileRange(descriptor: descriptor, offset: 1, count: 300_000))
            try? await connection.write(Array("end".utf8))
        }
        let client = try LoopbackClient(port: port)
        let received = client.receiveUntilClosed(limit: 400_000)
        #expect(received == Array(body[1...]) + Array("end".utf8))
        try await file.close()
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A direct descriptor moves to the other ring (MSG_RING): the bytes go on in
    /// order, the source's slot is freed, the target holds one until the close.
    @Test(arguments: [true, false])
    func aConnectionMovesItsSocketToTheOtherRing(fixedFiles: Bool) async throws {
        let runtime = try ShardRuntime(settings: settings(shards: 2, fixedFiles: fixedFiles))
        let shards = runtime.shards
        let afterMove = Mutex<[Int]>([])
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard let first = try? await connection.read() else { return }
            try? await connection.write(first)
            let target = shards[(connection.shard.index + 1) % 2]
            guard let moved = try? await connection.move(to: target) else { return }
            let held = [await inspect(shards[0]) { $0.fixedFilesInUse }, await inspect(shards[1]) { $0.fixedFilesInUse }]
            afterMove.withLock { $0 = held + [moved.shard.index, target.index, moved.descriptor.isFixed ? 1 : 0] }
            await target.run {
                while let bytes = try? await moved.read() { try? await moved.write(bytes + [UInt8(ascii: "!")]) }
            }
        }
        let client = try LoopbackClient(port: port)
        try client.send(Array("one".utf8))
        #expect(client.receive(count: 3) == Array("one".utf8))
        for round in 0..<20 {
            let message = Array("round \(round)".utf8)
            try client.send(message)
            #expect(client.receive(count: message.count + 1) == message + [UInt8(ascii: "!")])
        }
        let record = afterMove.withLock { $0 }
        #expect(record.count == 5)
        if record.count == 5 {
            #expect(record[2] == record[3])  // it really moved
            #expect(record[4] == (fixedFiles ? 1 : 0))
            let expected = fixedFiles ? 1 : 0
            #expect(record[record[3]] == expected && record[1 - record[3]] == 0)
        }
        try client.send(Array("x".utf8))
        #expect(client.receive(count: 2) == Array("x!".utf8))
        withExtendedLifetime(client) {}
        shutdown(client.descriptor, Int32(SHUT_RDWR))
        #expect(await slotsInUse(runtime).allSatisfy { $0 == 0 })
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A table with no free slot does not refuse connections: they get ordinary
    /// descriptors (counted) and work the same.
    @Test func aFullTableFallsBackToOrdinaryDescriptors() async throws {
        let runtime = try ShardRuntime(settings: settings(shards: 1, fixedFiles: true, slots: 3))
        #expect(runtime.shards[0].fixedFileSlots == 3)
        let kinds = Mutex<[Bool]>([])
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            kinds.withLock { $0.append(connection.descriptor.isFixed) }
            while let bytes = try? await connection.read() { try? await connection.write(bytes) }
        }
        var clients: [LoopbackClient] = []
        for index in 0..<5 {
            let client = try LoopbackClient(port: port)
            try client.send([UInt8(index)])
            #expect(client.receive(count: 1) == [UInt8(index)])
            clients.append(client)
        }
        #expect(kinds.withLock { $0 } == [true, true, true, false, false])
        #expect(await inspect(runtime.shards[0]) { $0.fixedFileFallbacks } == 2)
        clients.removeAll()
        #expect(await slotsInUse(runtime) == [0])
        // The slots freed by the closes are used again. The kernel frees a slot when its
        // close_direct runs, which may be just after the handler ended: a connection
        // accepted in between falls back to an ordinary descriptor (and works), so
        // try a bounded number of times.
        var reused = false
        for attempt in 0..<50 where !reused {
            let again = try LoopbackClient(port: port)
            try again.send([UInt8(attempt)])
            #expect(again.receive(count: 1) == [UInt8(attempt)])
            reused = kinds.withLock { $0.last } == true
            if !reused { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(reused, "a freed slot was never used again")
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// A move to a shard whose table has no free slot keeps the connection where it
    /// is (the same object comes back) and it goes on working.
    @Test func aMoveToAFullTableKeepsTheConnectionWhereItIs() async throws {
        let log = LogRecorder()
        let runtime = try ShardRuntime(settings: settings(shards: 2, fixedFiles: true, slots: 1), log: log.sink)
        let shards = runtime.shards
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { first in
            var connection = first
            while let bytes = try? await connection.read() {
                switch String(decoding: bytes, as: UTF8.self) {
                case "where":
                    try? await connection.write(Array("\(connection.shard.index)\(connection.descriptor.isFixed ? "f" : "o")".utf8))
                case "move":
                    guard let result = try? await connection.move(to: shards[1 - connection.shard.index]) else { return }
                    try? await result.write(Array("\(result === connection ? "stayed" : "moved") \(result.shard.index)".utf8))
                    connection = result
                default:
                    try? await connection.write(bytes)
                }
            }
        }
        // The first connection each shard accepts takes its only slot.
        var firstOnShard: [String: LoopbackClient] = [:]
        for _ in 0..<64 where firstOnShard.count < 2 {
            let client = try LoopbackClient(port: port)
            try client.send(Array("where".utf8))
            let answer = String(decoding: client.receive(count: 2), as: UTF8.self)
            if answer.hasSuffix("f") { firstOnShard[String(answer.prefix(1))] = client }
        }
        try #require(firstOnShard.count == 2)
        let client = firstOnShard["1"]!
        try client.send(Array("move".utf8))
        #expect(String(decoding: client.receive(count: 8), as: UTF8.self) == "stayed 1")
        try client.send(Array("still here".utf8))
        #expect(client.receive(count: 10) == Array("still here".utf8))
        try client.send(Array("where".utf8))
        #expect(client.receive(count: 2) == Array("1f".utf8))
        #expect(log.all.contains { $0.contains("connection stays") })
        firstOnShard.removeAll()
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}

extension LoopbackClient {
    /// The client's own port (the server sees it in the peer address).
    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
