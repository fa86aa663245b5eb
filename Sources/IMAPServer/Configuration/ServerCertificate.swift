import Auth
import Logging
import ShardRuntime
import Synchronization

/// The server's certificate and key as a TLS context, re-read when either file
/// changes (a new inode, size or modification time: an ACME client's renewal,
/// say), so new connections get the new certificate without a restart while
/// connections already encrypted keep the one they shook hands with. The files
/// are looked at (two `stat`s) at most once per `recheckInterval`, when a TLS
/// connection starts, never per command. A changed pair that does not load — a
/// renewal caught halfway, a key that does not match the certificate yet — is
/// logged and the last good context keeps serving; the next change is tried
/// again. Safe to share between shards.
final class ServerCertificate: Sendable {
    let certificateFile: String
    let keyFile: String
    /// The longest a renewed certificate can go unused.
    let recheckInterval: Duration
    private let logger: Logger

    private struct Loaded {
        var context: TLSContext
        /// The two files as last looked at (whether or not that version loaded).
        var identities: [FileIdentity?]
        var nextCheck: ContinuousClock.Instant
    }

    private let state: Mutex<Loaded>

    /// Loads the pair now: a server must not start with a certificate it cannot use.
    init(certificateFile: String, keyFile: String, recheckInterval: Duration = .seconds(1), logger: Logger) throws(TLSError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.recheckInterval = recheckInterval
        self.logger = logger
        let identities = [FileIdentity(path: certificateFile), FileIdentity(path: keyFile)]
        let context = try TLSContext(certificateChain: certificateFile, privateKey: keyFile)
        state = Mutex(Loaded(context: context, identities: identities, nextCheck: .now + recheckInterval))
    }

    /// The context for a connection starting TLS now.
    var context: TLSContext {
        let now = ContinuousClock.now
        return state.withLock { loaded in
            guard now >= loaded.nextCheck else { return loaded.context }
            loaded.nextCheck = now + recheckInterval
            let identities = [FileIdentity(path: certificateFile), FileIdentity(path: keyFile)]
            guard identities != loaded.identities else { return loaded.context }
            loaded.identities = identities
            do {
                loaded.context = try TLSContext(certificateChain: certificateFile, privateKey: keyFile)
                logger.notice("TLS certificate reloaded from \(certificateFile) and \(keyFile)")
            } catch {
                logger.error("TLS certificate \(certificateFile) or key \(keyFile) changed but cannot be used; the previous pair keeps serving: \(error)")
            }
            return loaded.context
        }
    }
}
