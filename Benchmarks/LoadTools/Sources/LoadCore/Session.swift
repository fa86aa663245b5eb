import IMAPCodec

/// Context every workload shares: options, and helpers that time and validate one
/// operation into a worker's statistics.
public struct Session: Sendable {
    public let options: LoadOptions
    /// Set with `--tls`: every connection is implicit TLS through it.
    public let tls: ClientTLSContext?

    /// Throws a `tls` error when `--tls-ca-file` cannot be loaded.
    public init(options: LoadOptions) throws(LoadError) {
        self.options = options
        tls = options.tls ? try ClientTLSContext(trustedCertificates: options.tlsTrustedCertificates) : nil
    }

    /// Connects and logs in as `user`.
    public func open(user: String, sourceAddress: String? = nil) throws(LoadError) -> IMAPConnection {
        let connection = try IMAPConnection(host: options.host, port: options.port, sourceAddress: sourceAddress, tls: tls)
        try connection.login(user: user, password: options.password)
        return connection
    }

    /// Whether APPEND must carry APPENDUID on this connection.
    public static func expectsAppendUID(_ connection: IMAPConnection) -> Bool {
        connection.hasCapability("UIDPLUS") || connection.hasCapability("IMAP4rev2")
    }
}

/// Times one operation: the closure's validated result is recorded as `name`, a failure
/// as an error of its kind. Returns nil on failure; rethrows connection-fatal errors so
/// the worker reconnects.
@discardableResult
public func measure<T>(
    _ name: String, into statistics: inout RunStatistics, bytes: (T) -> UInt64 = { _ in 0 },
    _ body: () throws(LoadError) -> T
) throws(LoadError) -> T? {
    let start = MonotonicClock.nanoseconds()
    do {
        let result = try body()
        statistics.record(name, microseconds: MonotonicClock.microseconds(since: start), bytes: bytes(result))
        return result
    } catch {
        statistics.recordError(error.kind)
        if error.isFatalToConnection || error.kind == "login" { throw error }
        return nil
    }
}
