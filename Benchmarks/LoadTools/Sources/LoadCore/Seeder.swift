import IMAPCodec

/// Fills mailboxes through IMAP itself (CREATE + APPEND), so a run works against any
/// server; a mailbox that already holds enough messages is left alone, so a large
/// mailbox is seeded once per server, not once per run. With MULTIAPPEND (RFC 3502)
/// messages go in batches of up to ``batchBytes`` per command, which is what makes
/// 100,000 messages affordable.
public struct Seeder: Sendable {
    public let session: Session

    public init(session: Session) {
        self.session = session
    }

    /// A mailbox to fill: `name` of `user` with `messages` messages of `size` bytes.
    public struct Target: Sendable {
        public var user: String
        public var mailbox: MailboxName
        public var messages: Int
        public var size: Int
        /// Delete it first (a sink that grows every run).
        public var recreate = false
        /// ``MessageCorpus`` messages (varied headers, flags and dates) instead of
        /// ``MessageFactory``'s uniform ones.
        public var corpus = false

        public init(user: String, mailbox: MailboxName, messages: Int, size: Int, recreate: Bool = false, corpus: Bool = false) {
            self.user = user
            self.mailbox = mailbox
            self.messages = messages
            self.size = size
            self.recreate = recreate
            self.corpus = corpus
        }

        /// Message `serial` with the flags and internal date it is appended with.
        func message(serial: Int) -> AppendMessage {
            guard corpus else { return AppendMessage(options: AppendOptions(), data: MessageFactory.message(size: size, serial: serial, user: user)) }
            return AppendMessage(
                options: AppendOptions(flags: MessageCorpus.flags(serial), internalDate: MessageCorpus.internalDate(serial)),
                data: MessageCorpus.message(size: size, serial: serial, user: user))
        }
    }

    /// Bytes of messages one MULTIAPPEND carries (at least one message).
    public static let batchBytes = 512 * 1024
    /// Messages one MULTIAPPEND carries at most.
    public static let batchMessages = 500

    /// Seeds all targets, grouped by user, several users at a time. Throws the first
    /// failure (a run on half-seeded mailboxes would mis-measure).
    public func seed(_ targets: [Target]) throws(LoadError) {
        let byUser = Dictionary(grouping: targets, by: \.user).map { $0.value }
        let session = self.session
        let failures = WorkerPool.run(count: min(4, byUser.count)) { worker -> LoadError? in
            for (index, group) in byUser.enumerated() where index % 4 == worker {
                do throws(LoadError) {
                    try Seeder(session: session).seed(user: group[0].user, group)
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
    }

    func seed(user: String, _ targets: [Target]) throws(LoadError) {
        let connection = try session.open(user: user)
        defer { _ = try? connection.execute(.logout); connection.close() }
        for target in targets {
            if target.recreate, !target.mailbox.isInbox {
                _ = try connection.execute(.delete(target.mailbox))
            }
            if !target.mailbox.isInbox {
                let created = try connection.execute(.create(target.mailbox, []))
                if created.status.kind == .bad { try ResponseValidator.requireOK(created, "CREATE") }
            }
            let exists = try ResponseValidator.validateSelect(try connection.execute(.select(target.mailbox, [])))
            var serial = Int(exists)
            let perBatch = connection.hasCapability("MULTIAPPEND") ? max(1, min(Self.batchMessages, Self.batchBytes / max(1, target.size))) : 1
            while serial < target.messages {
                let batch = (serial..<min(target.messages, serial + perBatch)).map(target.message(serial:))
                let exchange = try connection.execute(.append(target.mailbox, batch))
                try ResponseValidator.validateMultiAppend(exchange, count: batch.count, expectsAppendUID: Session.expectsAppendUID(connection))
                serial += batch.count
            }
            _ = try connection.execute(.unselect)
        }
    }
}
