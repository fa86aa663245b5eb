import IMAPCodec
import MailStore
import ShardRuntime

/// IDLE (RFC 2177): untagged updates as they happen until the client sends DONE,
/// with a keepalive `* OK Still here` every `idleKeepalive` so NAT gateways keep
/// the connection open.
extension Session {
    private enum IdleWake: Sendable {
        case input([UInt8]?)
        /// The read failed; a connection error (shutdown, say) is rethrown so the
        /// session ends as it would outside IDLE (with BYE on shutdown).
        case inputFailed(ConnectionError?)
        case changes
        case keepalive
    }

    func handleIdle(tag: String) async throws {
        send(.continuation(.text(ResponseText(text: "idling"))))
        reportMailboxUpdates(allowExpunge: true)
        try await flush()
        // An idler may wait for hours: hold no buffer meanwhile.
        framer.releaseBufferIfEmpty()
        output.releaseCapacityIfEmpty()
        let (wakes, continuation) = AsyncStream.makeStream(of: IdleWake.self, bufferingPolicy: .unbounded)
        let connection = self.connection
        let inbox = selected?.subscription.inbox
        let keepalive = context.settings.idleKeepalive
        // The broadcaster signals each delivery; the session drains on its own turn,
        // so nothing is taken from the inbox behind its back.
        if inbox?.observe({ continuation.yield(.changes) }) == true { continuation.yield(.changes) }
        let ticker = Task(executorPreference: shard) {
            while !Task.isCancelled {
                do { try await Task.sleep(for: keepalive) } catch { return }
                continuation.yield(.keepalive)
            }
        }
        defer {
            _ = inbox?.observe(nil)
            ticker.cancel()
            continuation.finish()
        }
        var line: [UInt8] = []
        var reader = startIdleRead(connection, continuation)
        for await wake in wakes {
            switch wake {
            case .changes:
                reportMailboxUpdates(allowExpunge: true)
                try await flush()
            case .keepalive:
                send(.untagged(.condition(StatusResponse(.ok, "Still here"))))
                try await flush()
            case let .inputFailed(error):
                if let error { throw error }
                exit = .closed
                return
            case .input(nil):
                exit = .closed
                return
            case let .input(bytes?):
                lastActivity = .now
                line += bytes
                guard let newline = line.firstIndex(of: 0x0A) else {
                    reader = startIdleRead(connection, continuation)
                    continue
                }
                var end = newline
                if end > 0, line[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: line[..<end], as: UTF8.self).uppercased()
                framer.append(Array(line[(newline + 1)...]))
                _ = reader
                reportMailboxUpdates(allowExpunge: true)
                if text == "DONE" {
                    complete(tag, "IDLE terminated")
                } else {
                    send(.tagged(tag: tag, StatusResponse(.bad, "Expected DONE")))
                }
                return
            }
        }
    }

    /// Reads once from the connection in a task on this shard and reports it.
    private func startIdleRead(
        _ connection: Connection, _ continuation: AsyncStream<IdleWake>.Continuation
    ) -> Task<Void, Never> {
        Task(executorPreference: shard) {
            do {
                continuation.yield(.input(try await connection.read()))
            } catch let error as ConnectionError {
                continuation.yield(.inputFailed(error))
            } catch {
                continuation.yield(.inputFailed(nil))
            }
        }
    }
}
