#if canImport(Glibc)
import Glibc
#endif

/// The runtime: N shards, each an OS thread with its own io_uring and serial
/// executor. Listen on an address and every shard accepts on its own SO_REUSEPORT
/// socket; each accepted connection gets a task on its shard running your handler.
///
///     let runtime = try ShardRuntime(settings: RuntimeSettings(shards: 2))
///     let port = try await runtime.listen(host: "127.0.0.1", port: 1143) { connection in
///         while let bytes = try? await connection.read() { try? await connection.write(bytes) }
///     }
///     await runtime.shutdown(gracePeriod: .seconds(5))
public final class ShardRuntime: Sendable {
    public let settings: RuntimeSettings
    public let shards: [Shard]
    let log: @Sendable (String) -> Void

    /// Starts the shard threads (each sets up its ring before this returns). Also sets
    /// SIGPIPE to ignored for the process: a peer that vanishes mid-send must end its
    /// connection with EPIPE, never the server.
    public init(
        settings: RuntimeSettings = RuntimeSettings(),
        log: @escaping @Sendable (String) -> Void = ShardRuntime.standardErrorLog
    ) throws {
        signal(SIGPIPE, SIG_IGN)
        FileLimit.raiseSoftToHard()
        let settings = settings.normalized
        self.settings = settings
        self.log = log
        var shards: [Shard] = []
        for index in 0..<settings.shards {
            let shard = try Shard(index: index, settings: settings, log: log)
            do {
                try shard.start()
            } catch {
                for started in shards {
                    started.requestExit()
                    started.join()
                }
                throw error
            }
            shards.append(shard)
        }
        self.shards = shards
    }

    /// Writes a log line to standard error.
    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        let text = Array("mailshard: \(line)\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// Listens on `host:port` (an IPv4 or IPv6 literal; port 0 picks a free one) with
    /// one SO_REUSEPORT socket per shard, and runs `handler` for every accepted
    /// connection in a task on the shard that accepted it; the connection is closed
    /// when the handler returns. Returns the bound port.
    @discardableResult
    public func listen(
        host: String, port: UInt16,
        handler: @escaping @Sendable (Connection) async -> Void
    ) async throws -> UInt16 {
        if port != 0 { try Listener.ensurePortIsFree(host: host, port: port) }
        var boundPort = port
        var sockets: [Int32] = []
        do {
            for _ in shards {
                let (descriptor, actualPort) = try Listener.bindSocket(
                    host: host, port: boundPort, backlog: settings.listenBacklog,
                    congestionControl: settings.tcpCongestionControl)
                boundPort = actualPort
                sockets.append(descriptor)
            }
        } catch {
            for descriptor in sockets { close(descriptor) }
            throw error
        }
        for (shard, descriptor) in zip(shards, sockets) {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                shard.execute {
                    let listener = Listener(descriptor: descriptor, handler: handler)
                    if shard.stopping {
                        close(descriptor)
                    } else {
                        shard.listeners.append(listener)
                        shard.startAccepting(listener)
                    }
                    continuation.resume()
                }
            }
        }
        return boundPort
    }

    /// The shard for a key, stable across restarts with the same shard count (FNV-1a):
    /// the home shard of a user name, for instance.
    public func shard(forKey key: String) -> Shard {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return shards[Int(hash % UInt64(shards.count))]
    }

    /// Open connections per shard, in shard order.
    public func connectionCounts() async -> [Int] {
        await perShard { $0.connections.count }
    }

    /// Connections accepted per shard since start, in shard order.
    public func acceptedCounts() async -> [Int] {
        await perShard { $0.acceptedCount }
    }

    private func perShard(_ read: @escaping @Sendable (Shard) -> Int) async -> [Int] {
        var counts: [Int] = []
        for shard in shards {
            counts.append(await withUnsafeContinuation { continuation in
                shard.execute { continuation.resume(returning: read(shard)) }
            })
        }
        return counts
    }

    /// Graceful shutdown: stop accepting; reads waiting for a peer end with
    /// `ConnectionError.shuttingDown` so handlers can say goodbye and return; after
    /// `gracePeriod` the connections still open are closed; then the shard threads
    /// end (a handler stuck elsewhere is abandoned after another grace period) and are
    /// joined. Call it once, from outside the shards.
    public func shutdown(gracePeriod: Duration) async {
        precondition(Shard.current == nil, "shutdown() must not run on a shard thread")
        for shard in shards {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                shard.execute {
                    shard.stopping = true
                    shard.stopAccepting()
                    for connection in shard.connections.values { connection.requestShutdown() }
                    continuation.resume()
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for shard in shards {
                group.addTask { await shard.waitForConnectionsToDrain(deadline: gracePeriod) }
            }
        }
        for shard in shards {
            shard.execute {
                let remaining = Array(shard.connections.values)
                if !remaining.isEmpty {
                    shard.log("shard \(shard.index): closing \(remaining.count) connection(s) still open after the grace period")
                }
                for connection in remaining { connection.terminate(.shuttingDown) }
            }
            shard.requestExit()
        }
        let clock = ContinuousClock()
        let abandonAt = clock.now + gracePeriod + .seconds(1)
        while shards.contains(where: { !$0.exited.load(ordering: .acquiring) }) {
            if clock.now >= abandonAt {
                for shard in shards {
                    shard.forceExit.store(true, ordering: .releasing)
                    shard.wake()
                }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        for shard in shards { shard.join() }
    }
}
