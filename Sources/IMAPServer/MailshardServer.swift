import Logging
import ShardRuntime

/// The running server: the shard runtime, the listening sockets, and what each
/// connection runs. Start it, keep it, shut it down once.
public final class MailshardServer: Sendable {
    public let settings: ServerSettings
    let runtime: ShardRuntime
    let logger: Logger

    /// Starts the shard threads (nothing is accepted until `listen()`).
    public init(settings: ServerSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let runtimeLogger = logger
        runtime = try ShardRuntime(settings: settings.runtime, log: { line in runtimeLogger.notice("\(line)") })
    }

    /// Listens on the configured address and port (0 picks a free port) and
    /// returns the bound port.
    @discardableResult
    public func listen() async throws -> Int {
        let logger = self.logger
        let port = try await runtime.listen(host: settings.listenAddress, port: UInt16(settings.listenPort)) { connection in
            await PreSessionHandler(logger: logger).serve(connection)
        }
        logger.info("listening on \(settings.listenAddress):\(port) with \(runtime.shards.count) shards")
        return Int(port)
    }

    /// Stops accepting, lets connections say goodbye for up to `gracePeriod`,
    /// closes the rest and joins the shard threads.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        logger.info("shutting down")
        await runtime.shutdown(gracePeriod: gracePeriod)
    }
}
