import IMAPCodec

/// `fetch-bodies`: every client EXAMINEs its user's `bodies-<size>` mailbox and fetches
/// random whole messages (BODY.PEEK[]), each checked to be exactly `--message-size` bytes.
public struct FetchBodiesWorkload: Sendable {
    public let session: Session
    var options: LoadOptions { session.options }

    public init(session: Session) {
        self.session = session
    }

    public var mailbox: MailboxName { MailboxName("bodies-\(options.messageSize)") }

    public func seedTargets() -> [Seeder.Target] {
        let users = Set((0..<options.clients).map(options.userName))
        return users.sorted().map { Seeder.Target(user: $0, mailbox: mailbox, messages: options.messages, size: options.messageSize) }
    }

    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        var random = SplitMix64(seed: UInt64(client) &+ 99)
        var connection: IMAPConnection?
        var exists: UInt32 = 0
        func open(_ statistics: inout RunStatistics, setup: Bool) throws(LoadError) {
            let opened = try measure(setup ? "SETUP LOGIN" : "LOGIN", into: &statistics) { () throws(LoadError) in try session.open(user: options.userName(client)) }
            guard let opened else { return }
            let count = try measure(setup ? "SETUP EXAMINE" : "EXAMINE", into: &statistics) { () throws(LoadError) in
                try ResponseValidator.validateSelect(try opened.execute(.examine(mailbox, [])))
            }
            guard let count, count > 0 else { throw LoadError("invalid EXAMINE", "\(mailbox) is empty") }
            exists = count
            connection = opened
        }
        do throws(LoadError) { try open(&statistics, setup: true) } catch {}
        _ = gate.arriveAndWait()
        guard connection != nil else { return statistics }
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let current = connection else { try open(&statistics, setup: false); continue }
                let number = UInt32(random.next(upperBound: UInt64(exists))) + 1
                try measure("FETCH BODY", into: &statistics, bytes: { UInt64($0) }) { () throws(LoadError) -> Int in
                    let exchange = try current.execute(.fetch(FetchCommand(byUID: false, set: .ranges([SequenceRange(.number(number))]), attributes: [.bodySection(.whole, partial: nil, peek: true)])))
                    return try ResponseValidator.validateFetch(exchange, sequenceNumbers: [number], items: [.body], bodySize: options.messageSize)
                }
            } catch {
                connection?.close()
                connection = nil
            }
        }
        if let connection { _ = try? connection.execute(.logout); connection.close() }
        return statistics
    }
}

/// `append`: every client appends `--message-size` messages to its user's `append-sink`
/// (recreated empty at seeding); each APPEND must be OK and, with UIDPLUS, carry an
/// APPENDUID larger than the client's previous one.
public struct AppendWorkload: Sendable {
    public let session: Session
    var options: LoadOptions { session.options }

    public init(session: Session) {
        self.session = session
    }

    public let mailbox = MailboxName("append-sink")

    public func seedTargets() -> [Seeder.Target] {
        let users = Set((0..<options.clients).map(options.userName))
        return users.sorted().map { Seeder.Target(user: $0, mailbox: mailbox, messages: 0, size: options.messageSize, recreate: true) }
    }

    public func runClient(_ client: Int, gate: RunGate) -> RunStatistics {
        var statistics = RunStatistics()
        let user = options.userName(client)
        var connection: IMAPConnection?
        var lastUID: UInt32 = 0
        var serial = 10_000_000 * (client + 1)
        do throws(LoadError) {
            connection = try measure("SETUP LOGIN", into: &statistics) { () throws(LoadError) in try session.open(user: user) }
        } catch {}
        _ = gate.arriveAndWait()
        guard connection != nil else { return statistics }
        while gate.mayContinue() {
            do throws(LoadError) {
                guard let current = connection else {
                    connection = try measure("LOGIN", into: &statistics) { () throws(LoadError) in try session.open(user: user) }
                    continue
                }
                serial += 1
                let message = MessageFactory.message(size: options.messageSize, serial: serial, user: user)
                try measure("APPEND", into: &statistics, bytes: { _ in UInt64(message.count) }) { () throws(LoadError) in
                    let exchange = try current.execute(.append(mailbox, [AppendMessage(options: AppendOptions(), data: message)]))
                    let uid = try ResponseValidator.validateAppend(exchange, expectsAppendUID: Session.expectsAppendUID(current))
                    if let uid {
                        guard uid > lastUID else { throw LoadError("invalid APPEND", "APPENDUID \(uid) not above \(lastUID)") }
                        lastUID = uid
                    }
                }
            } catch {
                connection?.close()
                connection = nil
            }
        }
        if let connection { _ = try? connection.execute(.logout); connection.close() }
        return statistics
    }
}
