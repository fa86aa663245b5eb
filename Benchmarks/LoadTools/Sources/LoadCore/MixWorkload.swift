#if canImport(Glibc)
import Glibc
#endif
import IMAPCodec

/// The imaptest-like session mix. Each client owns a mailbox (`mix-<size>-<client>` of
/// its user) so every EXISTS/EXPUNGE it sees can be checked exactly; LIST and STATUS
/// still go through the shared user namespace.
public struct MixWorkload: Sendable {
    public let session: Session
    var options: LoadOptions { session.options }

    public init(session: Session) {
        self.session = session
    }

    public func mailbox(client: Int) -> MailboxName { MailboxName("mix-\(options.messageSize)-\(client)") }

    public func seedTargets() -> [Seeder.Target] {
        (0..<options.clients).map {
            Seeder.Target(user: options.userName($0), mailbox: mailbox(client: $0), messages: options.messages, size: options.messageSize)
        }
    }

    /// One client's loop until the gate closes.
    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        var random = SplitMix64(seed: UInt64(client) &* 7919 &+ 17)
        let user = options.userName(client)
        let box = mailbox(client: client)
        var connection: IMAPConnection?
        var view: MailboxView?
        var serial = 1_000_000 * (client + 1)
        var storeAdds = false
        // Log in before the start line; a failure here is reported and ends this client.
        do throws(LoadError) {
            connection = try measure("SETUP LOGIN", into: &statistics) { () throws(LoadError) in try session.open(user: user) }
        } catch {}
        _ = gate.arriveAndWait()
        guard connection != nil else { return statistics }
        let weights = options.weights
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let current = connection else {
                    connection = try measure("LOGIN", into: &statistics) { () throws(LoadError) in try session.open(user: user) }
                    view = nil
                    continue
                }
                let operation = weights.operation(forDraw: Int(random.next(upperBound: UInt64(weights.total))))
                let needsSelection = ["fetch-flags", "fetch-body", "store", "expunge"].contains(operation)
                if needsSelection, view == nil {
                    let exists = try measure("SELECT", into: &statistics) { () throws(LoadError) in
                        try ResponseValidator.validateSelect(try current.execute(.select(box, [])))
                    }
                    guard let exists else { continue }
                    view = MailboxView(exists: exists)
                }
                switch operation {
                case "login":
                    continue  // logins happen after LOGOUT; a weight here only makes logouts rarer
                case "list":
                    try measure("LIST", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.list(ListCommand(reference: MailboxName(""), patterns: ["*"])))
                        try ResponseValidator.validateList(exchange, mustInclude: [.inbox, box])
                        try view?.apply(exchange.untagged)
                    }
                case "status":
                    try measure("STATUS", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.status(.inbox, [.messages, .uidNext, .unseen]))
                        _ = try ResponseValidator.validateStatus(exchange, mailbox: .inbox, attributes: [.messages, .uidNext, .unseen])
                        try view?.apply(exchange.untagged)
                    }
                case "select":
                    let exists = try measure("SELECT", into: &statistics) { () throws(LoadError) in
                        try ResponseValidator.validateSelect(try current.execute(.select(box, [])))
                    }
                    view = exists.map(MailboxView.init)
                case "fetch-flags":
                    guard let count = view?.exists, count > 0 else { continue }
                    let numbers = Array(1...count)
                    try measure("FETCH FLAGS", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.fetch(FetchCommand(byUID: false, set: .ranges([SequenceRange(.number(1), .number(count))]), attributes: [.uid, .flags])))
                        try ResponseValidator.validateFetch(exchange, sequenceNumbers: numbers, items: [.uid, .flags])
                        try view?.apply(exchange.untagged)
                    }
                case "fetch-body":
                    guard let count = view?.exists, count > 0 else { continue }
                    let number = UInt32(random.next(upperBound: UInt64(count))) + 1
                    try measure("FETCH BODY", into: &statistics, bytes: { UInt64($0) }) { () throws(LoadError) -> Int in
                        let exchange = try current.execute(.fetch(FetchCommand(byUID: false, set: .ranges([SequenceRange(.number(number))]), attributes: [.uid, .bodySection(.whole, partial: nil, peek: true)])))
                        let bytes = try ResponseValidator.validateFetch(exchange, sequenceNumbers: [number], items: [.uid, .body], bodySize: options.messageSize)
                        try view?.apply(exchange.untagged)
                        return bytes
                    }
                case "store":
                    guard let count = view?.exists, count > 0 else { continue }
                    let number = UInt32(random.next(upperBound: UInt64(count))) + 1
                    // Alternate setting and clearing \Seen so most STOREs change something.
                    storeAdds.toggle()
                    let adding = storeAdds
                    try measure("STORE", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.store(StoreCommand(byUID: false, set: .ranges([SequenceRange(.number(number))]), flags: StoreFlags(operation: adding ? .add : .remove, silent: false, flags: [.seen]))))
                        try ResponseValidator.validateStore(exchange, sequenceNumbers: [number], flag: .seen, adding: adding, requireReport: false)
                        try view?.apply(exchange.untagged)
                    }
                case "expunge":
                    // Keep the mailbox near its seeded size: expunge only above half of it.
                    guard let count = view?.exists, count > UInt32(max(1, options.messages / 2)) else { continue }
                    let number = UInt32(random.next(upperBound: UInt64(count))) + 1
                    try measure("STORE", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.store(StoreCommand(byUID: false, set: .ranges([SequenceRange(.number(number))]), flags: StoreFlags(operation: .add, silent: false, flags: [.deleted]))))
                        // Messages marked \Deleted are expunged at once, so this always changes flags.
                        try ResponseValidator.validateStore(exchange, sequenceNumbers: [number], flag: .deleted, adding: true, requireReport: true)
                        try view?.apply(exchange.untagged)
                    }
                    try measure("EXPUNGE", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.expunge)
                        try ResponseValidator.requireOK(exchange, "EXPUNGE")
                        guard let expunged = try view?.apply(exchange.untagged), expunged >= 1 else {
                            throw LoadError("invalid EXPUNGE", "no EXPUNGE response for the deleted message")
                        }
                    }
                case "append":
                    serial += 1
                    let message = MessageFactory.message(size: options.messageSize, serial: serial, user: user)
                    let before = view?.exists
                    try measure("APPEND", into: &statistics, bytes: { _ in UInt64(message.count) }) { () throws(LoadError) in
                        let exchange = try current.execute(.append(box, [AppendMessage(options: AppendOptions(), data: message)]))
                        try ResponseValidator.validateAppend(exchange, expectsAppendUID: Session.expectsAppendUID(current))
                        try view?.apply(exchange.untagged)
                    }
                    if let before, let after = view?.exists, after == before {
                        // The selected mailbox grew; the server must say so by the next command.
                        let exchange = try measure("NOOP", into: &statistics) { () throws(LoadError) in try current.execute(.noop) }
                        if let exchange { try view?.apply(exchange.untagged) }
                        if view?.exists == before {
                            statistics.recordError("invalid APPEND")  // no EXISTS for our own append
                        }
                    }
                case "logout":
                    try measure("LOGOUT", into: &statistics) { () throws(LoadError) in
                        let exchange = try current.execute(.logout)
                        try ResponseValidator.requireOK(exchange, "LOGOUT")
                        guard exchange.untagged.contains(where: { if case .condition(let s) = $0 { return s.kind == .bye }; return false }) else {
                            throw LoadError("invalid LOGOUT", "no BYE before the completion")
                        }
                    }
                    current.close()
                    connection = nil
                    view = nil
                default:
                    continue
                }
            } catch {
                // Already counted by `measure`; the connection is unusable, start over.
                connection?.close()
                connection = nil
                view = nil
                if error.kind == "login" || error.kind == "connect" { usleep(100_000) }
            }
        }
        if let connection {
            _ = try? connection.execute(.logout)
            connection.close()
        }
        return statistics
    }
}
