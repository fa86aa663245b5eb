import Auth
import IMAPCodec
import Logging
import MailStore
import ShardRuntime

/// One IMAP connection's session. Isolated to its shard's executor, so session
/// code and the connection's I/O completions run on the same thread without hops.
///
/// The loop: read → ``CommandFramer`` → ``CommandParser`` → ``SessionStateMachine``
/// (may it run now?) → the command's handler (`Session+*.swift`) → ``ResponseEncoder``
/// into one output buffer → `connection.write` once per batch of pipelined commands.
/// After login the session hands itself to its user's home shard: ``run()`` returns
/// `.move`, ``serve(_:context:)`` moves the connection and continues in a new actor
/// on the target with the same state.
actor Session {
    nonisolated let shard: Shard
    nonisolated var unownedExecutor: UnownedSerialExecutor { shard.asUnownedSerialExecutor() }

    let connection: Connection
    let context: SessionContext
    var machine: SessionStateMachine
    var framer: CommandFramer
    var encoder: ResponseEncoder
    var output = ResponseBuffer()
    /// The peer as "ip:port" (logs) and the address alone (login throttling).
    let peer: String
    let plaintextAllowed: Bool
    var userStore: UserStore?
    var selected: SelectedMailbox?
    var sasl: SASLExchange?
    var loginFailures: Int
    var lastActivity = ContinuousClock.now
    /// Set by a handler to end the loop after this command's output is flushed.
    var exit: Exit?
    /// An APPEND whose literal is being streamed (Session+Append.swift).
    var streamedAppend: StreamedAppend?
    private var autologoutTimer: Task<Void, Never>?

    /// How ``run()`` ended.
    enum Exit: Sendable {
        case closed
        /// Continue on `shard` with this state (after login).
        case move(to: Shard, Carried)
    }

    /// The state that travels with a session to its home shard.
    struct Carried: Sendable {
        var machine: SessionStateMachine
        var framer: CommandFramer
        var encoder: ResponseEncoder
        var peer: String
        var plaintextAllowed: Bool
        var userStore: UserStore?
        var loginFailures: Int
        /// Encoded answers not yet written (the login's OK among them).
        var pendingOutput: [UInt8]
    }

    init(connection: Connection, context: SessionContext, peer: String, plaintextAllowed: Bool) {
        self.shard = connection.shard
        self.connection = connection
        self.context = context
        self.peer = peer
        self.plaintextAllowed = plaintextAllowed
        machine = SessionStateMachine()
        framer = CommandFramer(limits: context.settings.framingLimits)
        encoder = ResponseEncoder()
        loginFailures = 0
    }

    init(connection: Connection, context: SessionContext, carried: Carried) {
        self.shard = connection.shard
        self.connection = connection
        self.context = context
        peer = carried.peer
        plaintextAllowed = carried.plaintextAllowed
        machine = carried.machine
        framer = carried.framer
        encoder = carried.encoder
        userStore = carried.userStore
        loginFailures = carried.loginFailures
        output.writeBytes(carried.pendingOutput)
    }

    /// Serves a new connection until it closes: greeting, commands, and the move to
    /// the user's home shard after login.
    static func serve(_ connection: Connection, context: SessionContext) async {
        let peer = await connection.peerAddress() ?? "unknown"
        let plaintextAllowed = context.settings.allowsPlaintextAuthentication(peer: peer)
        context.logger.debug("connection from \(peer) on shard \(connection.shard.index)")
        var session = Session(connection: connection, context: context, peer: peer, plaintextAllowed: plaintextAllowed)
        var connection = connection
        var greet = true
        while true {
            let exit = await session.run(greet: greet)
            greet = false
            switch exit {
            case .closed:
                context.logger.debug("connection from \(peer) closed")
                return
            case .move(let target, let carried):
                let start = ContinuousClock.now
                do {
                    connection = try await connection.move(to: target)
                } catch {
                    context.logger.debug("connection from \(peer) lost while moving to its home shard: \(error)")
                    return
                }
                session = Session(connection: connection, context: context, carried: carried)
                await session.arrived(movedAt: start)
            }
        }
    }

    /// Runs on the target shard first thing after a move: records what it cost.
    private func arrived(movedAt start: ContinuousClock.Instant) {
        let cost = start.duration(to: .now)
        context.moves.recordMove(cost)
        context.logger.debug("session of \(machine.user ?? "-") from \(peer) moved to home shard \(shard.index) in \(cost)")
    }

    /// The command loop; returns when the connection ends or the session must move.
    func run(greet: Bool) async -> Exit {
        startAutologoutTimer()
        defer { autologoutTimer?.cancel() }
        do {
            if greet {
                send(.untagged(.condition(StatusResponse(.ok, code: .capability(capabilities), "Mailshard ready"))))
            }
            while true {
                while exit == nil, let event = framer.nextRangeEvent() {
                    try await handle(event)
                }
                // Before a move the answers so far travel with the session (Carried):
                // writing them here would make the move wait for their send.
                if let exit, case .move = exit { return exit }
                try await flush()
                if let exit { return exit }
                guard let bytes = try await connection.read() else { return .closed }
                lastActivity = .now
                // The raw-buffer overload: the generic one is not specialized across modules.
                bytes.withUnsafeBytes { framer.append($0) }
            }
        } catch ConnectionError.shuttingDown {
            send(.untagged(.condition(StatusResponse(.bye, "Server shutting down"))))
            try? await flush()
            return .closed
        } catch {
            context.logger.debug("connection from \(peer) ended: \(error)")
            return .closed
        }
    }

    /// One framer event. A command is parsed straight from the framer's buffer (no
    /// copy, no buffer reference); its range is used before anything can append.
    private func handle(_ event: FramingRangeEvent) async throws {
        switch event {
        case .command(let range):
            if case .authenticating(let tag) = machine.state {
                try await continueAuthentication(tag: tag, line: framer.bytes(in: range))
                return
            }
            let tagged: TaggedCommand
            do {
                tagged = try framer.withUnsafeBytes(in: range) { (frame) throws(CommandParseError) -> TaggedCommand in
                    try CommandParser.parseCommand(frame)
                }
            } catch {
                send(error.response)
                return
            }
            try await execute(tagged)
        case .continuationRequest:
            send(.continuation(.text(ResponseText(text: "Ready for literal"))))
            // The client waits for the "+" before sending the literal.
            try await flush()
        case let .streamedLiteralBegins(head, byteCount, continuing, synchronizing):
            try await handleStreamedAppend(.streamedLiteralBegins(
                head: framer.bytes(in: head), byteCount: byteCount, continuing: continuing, synchronizing: synchronizing))
        case .streamedLiteralBytes(let range):
            try await handleStreamedAppend(.streamedLiteralBytes(framer.bytes(in: range)))
        case .streamedLiteralEnds:
            try await handleStreamedAppend(.streamedLiteralEnds)
        case .streamedCommandEnds(let range):
            try await handleStreamedAppend(.streamedCommandEnds(framer.bytes(in: range)))
        case .error:
            guard let error = framer.lastError else { return }
            send(error.response)
            if error.isFatal { exit = .closed }
        }
    }

    /// Runs one parsed command if the state machine allows it; any thrown error
    /// becomes the command's tagged answer.
    private func execute(_ tagged: TaggedCommand) async throws {
        if let unknown = tagged.unknownCommandResponse {
            send(unknown)
            return
        }
        if case .reject(let reason) = machine.decide(tagged.command) {
            send(.tagged(tag: tagged.tag, StatusResponse(.bad, reason)))
            return
        }
        // Changes by other sessions go out before the command's own responses.
        reportMailboxUpdates(before: tagged.command)
        do {
            try await dispatch(tagged)
        } catch let error as ConnectionError {
            throw error
        } catch {
            let failure = SessionError(error)
            if failure.isServerSide {
                context.logger.error("\(tagged.command.name) failed for \(machine.user ?? "-"): \(error)")
            }
            send(failure.response(tag: tagged.tag))
        }
    }

    private func dispatch(_ tagged: TaggedCommand) async throws {
        let tag = tagged.tag
        switch tagged.command {
        case .capability: handleCapability(tag: tag)
        case .noop: handleNoop(tag: tag)
        case .logout: handleLogout(tag: tag)
        case .id(let fields): handleID(tag: tag, fields: fields)
        case .enable(let names): handleEnable(tag: tag, names: names)
        case .login(let user, let password): try await handleLogin(tag: tag, user: user, password: password)
        case .authenticate(let mechanism, let initial):
            try await handleAuthenticate(tag: tag, mechanism: mechanism, initialResponse: initial)
        case .select(let name, let parameters): try await handleSelect(tag: tag, name: name, parameters: parameters, readOnly: false)
        case .examine(let name, let parameters): try await handleSelect(tag: tag, name: name, parameters: parameters, readOnly: true)
        case .close: try await handleClose(tag: tag)
        case .unselect: handleUnselect(tag: tag)
        case .check: complete(tag, "CHECK completed")
        case .create(let name, let parameters): try await handleCreate(tag: tag, name: name, parameters: parameters)
        case .delete(let name): try await handleDelete(tag: tag, name: name)
        case .rename(let from, let to, _): try await handleRename(tag: tag, from: from, to: to)
        case .subscribe(let name): try await handleSubscribe(tag: tag, name: name, subscribe: true)
        case .unsubscribe(let name): try await handleSubscribe(tag: tag, name: name, subscribe: false)
        case .list(let list): try await handleList(tag: tag, list)
        case .lsub(let reference, let pattern): try handleLSub(tag: tag, reference: reference, pattern: pattern)
        case .namespace: handleNamespace(tag: tag)
        case .status(let name, let attributes): try await handleStatus(tag: tag, name: name, attributes: attributes)
        case .startTLS, .compress:
            send(.tagged(tag: tag, StatusResponse(.bad, "\(tagged.command.name) is not supported")))
        case .append, .idle, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move:
            try await handleMessageCommand(tagged)
        case .unknown:
            preconditionFailure("answered before dispatch")
        }
    }

    // MARK: - Output

    /// Encodes a response into the pending output (sent at the next flush).
    func send(_ response: Response) {
        encoder.encode(response, into: &output)
    }

    /// `tag OK [code] text`.
    func complete(_ tag: String, code: ResponseCode? = nil, _ text: String) {
        send(.tagged(tag: tag, StatusResponse(.ok, code: code, text)))
    }

    /// Writes the pending output.
    func flush() async throws {
        guard !output.bytes.isEmpty else { return }
        let bytes = output.bytes
        output.removeAll()
        try await connection.write(bytes)
    }

    var capabilities: [String] {
        Capabilities.list(
            authenticated: machine.isAuthenticated, plaintextAllowed: plaintextAllowed,
            appendLimit: context.settings.appendLimit)
    }

    // MARK: - Autologout

    /// RFC 9051 section 5.4: at least 30 minutes once authenticated; a shorter,
    /// configurable limit before login. Checked against the last bytes received.
    func startAutologoutTimer() {
        autologoutTimer?.cancel()
        autologoutTimer = Task { [weak self] in
            while let self, !Task.isCancelled {
                guard let deadline = await self.autologoutDeadline() else { return }
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                } catch {
                    return
                }
            }
        }
    }

    /// Logs the client out if it has been idle too long; otherwise the next time to check.
    private func autologoutDeadline() async -> ContinuousClock.Instant? {
        let limit = machine.isAuthenticated ? context.settings.authenticatedTimeout : context.settings.loginTimeout
        let deadline = lastActivity + limit
        guard ContinuousClock.now >= deadline else { return deadline }
        context.logger.info("autologout of \(machine.user ?? "unauthenticated connection") from \(peer)")
        send(.untagged(.condition(StatusResponse(.bye, "Autologout; idle for too long"))))
        try? await flush()
        await connection.close()
        return nil
    }
}
