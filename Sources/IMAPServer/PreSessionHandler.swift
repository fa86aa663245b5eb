import Logging
import ShardRuntime

/// What a connection gets until IMAP sessions exist: a greeting that says so,
/// and `BYE` at the first line the client sends (or at shutdown). It advertises
/// no capabilities, because none are served yet.
struct PreSessionHandler: Sendable {
    let logger: Logger

    static let greeting = Array("* OK Mailshard ready; IMAP commands are not served yet\r\n".utf8)
    static let goodbye = Array("* BYE Mailshard does not serve IMAP commands yet\r\n".utf8)
    static let shutdownGoodbye = Array("* BYE Server shutting down\r\n".utf8)

    func serve(_ connection: Connection) async {
        let peer = await connection.peerAddress() ?? "unknown"
        logger.debug("connection from \(peer)")
        do {
            try await connection.write(Self.greeting)
            var received = 0
            while let bytes = try await connection.read() {
                received += bytes.count
                if bytes.contains(UInt8(ascii: "\n")) || received > 8192 {
                    try await connection.write(Self.goodbye)
                    break
                }
            }
        } catch ConnectionError.shuttingDown {
            try? await connection.write(Self.shutdownGoodbye)
        } catch {
            logger.debug("connection from \(peer) ended: \(error)")
        }
    }
}
