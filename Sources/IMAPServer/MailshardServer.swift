import Auth
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MailStore
import ShardRuntime

/// The running server: the shard runtime, the mail store, the user directory, the
/// listening sockets, and an IMAP session per connection. Start it, keep it, shut
/// it down once.
public final class MailshardServer: Sendable {
    public let settings: ServerSettings
    let runtime: ShardRuntime
    let store: MailStore
    let logger: Logger
    let context: SessionContext

    /// Opens the store (`dataDirectory`, made absolute) and the passwd-file, and
    /// starts the shard threads (nothing is accepted until `listen()`).
    public convenience init(settings: ServerSettings, logger: Logger) throws {
        try self.init(settings: settings, logger: logger, analyzer: MIMEMessageAnalyzer())
    }

    /// The same with `analyzer` parsing messages and matching SEARCH text keys
    /// (tests hold a search at a message to watch it stop).
    init(settings: ServerSettings, logger: Logger, analyzer: any MessageAnalyzer) throws {
        self.settings = settings
        self.logger = logger
        let root = try DataDirectory.absolute(settings.dataDirectory)
        do {
            // Durable writes flush through the writer's shard ring (ShardFileIO).
            let budget = HeaderCacheBudget(limit: settings.headerCacheBytes, idleTimeout: settings.headerCacheIdleTimeout)
            store = try MailStore(root: root, options: StoreOptions(analyzer: analyzer, headerCacheBudget: budget, io: ShardFileIO()))
        } catch {
            throw ServerStartError(description: "cannot open the data directory \(root): \(error)")
        }
        let directory: UserDirectory
        do {
            directory = try UserDirectory(path: settings.passwdFile)
        } catch {
            throw ServerStartError(description: "cannot read the passwd-file \(settings.passwdFile): \(error)")
        }
        let certificate: ServerCertificate?
        do {
            certificate = try settings.makeServerCertificate(logger: logger)
        } catch {
            throw ServerStartError(description: "cannot set up TLS: \(error)")
        }
        let runtimeLogger = logger
        runtime = try ShardRuntime(settings: settings.runtime, log: { line in runtimeLogger.notice("\(line)") })
        var policy = LoginThrottlePolicy()
        policy.baseDelay = settings.loginFailureDelay
        context = SessionContext(
            settings: settings, store: store, authenticator: Authenticator(directory: directory),
            throttle: LoginThrottle(policy: policy), runtime: runtime, logger: logger, certificate: certificate)
    }

    /// Listens on the configured address and port (0 picks a free port), and on
    /// the implicit TLS port when one is set; returns the plaintext port.
    @discardableResult
    public func listen() async throws -> Int {
        let context = self.context
        let port = try await runtime.listen(host: settings.listenAddress, port: UInt16(settings.listenPort)) { connection in
            await Session.serve(connection, context: context)
        }
        let startTLS = context.certificate == nil ? "" : ", STARTTLS offered"
        logger.info("listening on \(settings.listenAddress):\(port) with \(runtime.shards.count) shards\(startTLS)")
        if settings.tlsListenPort != 0 {
            try await listenImplicitTLS(port: settings.tlsListenPort)
        }
        return Int(port)
    }

    /// Listens for IMAP over implicit TLS (RFC 8314) on `port` (0 picks a free
    /// one) and returns the bound port: TLS from the first byte, the greeting
    /// after the handshake. Needs the configured certificate.
    @discardableResult
    public func listenImplicitTLS(port: Int) async throws -> Int {
        guard let certificate = context.certificate else {
            throw ServerStartError(description: "implicit TLS needs tls.cert-file and tls.key-file")
        }
        let context = self.context
        let bound = try await runtime.listen(host: settings.listenAddress, port: UInt16(port)) { connection in
            do {
                try await connection.pushLayer(TLSLayer(context: certificate.context))
            } catch {
                context.logger.error("TLS could not start: \(error)")
                return
            }
            await Session.serve(connection, context: context, overTLS: true)
        }
        logger.info("listening for implicit TLS on \(settings.listenAddress):\(bound)")
        return Int(bound)
    }

    /// Whether every shard thread runs a queued job within `limit` (the
    /// service manager's watchdog is fed only while it does).
    public func shardsRespond(within limit: Duration) async -> Bool {
        await runtime.allShardsRespond(within: limit)
    }

    /// What moving sessions to their user's home shard has cost so far.
    public var homeShardMoves: HomeShardMoveStatistics.Summary { context.moves.summary }

    /// Stops accepting, lets connections say goodbye for up to `gracePeriod`,
    /// closes the rest, joins the shard threads and closes the store.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let moves = homeShardMoves
        logger.info("shutting down; \(moves.moves) sessions moved after login (average \(moves.average), longest \(moves.longest)), \(moves.stays) were there already, \(moves.spread) placed off their home shard")
        let wakeUps = runtime.wakeUps
        logger.info("work queued on a shard from another shard: \(wakeUps.fromShards), from other threads: \(wakeUps.fromOtherThreads), eventfd wake-ups: \(wakeUps.eventfdWrites)")
        await runtime.shutdown(gracePeriod: gracePeriod)
        await store.close()
    }
}

/// A server that cannot start, with a message an operator can act on.
public struct ServerStartError: Error, CustomStringConvertible {
    public let description: String
}

enum DataDirectory {
    /// `path` as an absolute path (relative to the working directory).
    static func absolute(_ path: String) throws -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else {
            throw ServerStartError(description: "cannot resolve the data directory \(path)")
        }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return trimmed == "." || trimmed.isEmpty ? cwd : cwd + "/" + trimmed
    }
}
