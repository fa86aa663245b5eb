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
    /// Plaintext LOGIN/AUTHENTICATE allowed: loopback, the setting, or TLS.
    var plaintextAllowed: Bool
    /// TLS is on (implicit TLS port, or after STARTTLS: Session+StartTLS.swift).
    var tlsActive = false
    /// COMPRESS=DEFLATE is on (Session+Compress.swift).
    var compressing = false
    var userStore: UserStore?
    var selected: SelectedMailbox?
    var sasl: SASLExchange?
    var loginFailures: Int
    var lastActivity = ContinuousClock.now
    /// Set by a handler to end the loop after this command's output is flushed.
    var exit: Exit?
    /// An APPEND whose literal is being streamed (Session+Append.swift), behind a
    /// reference: few sessions ever hold one, and inline it would add 168 bytes
    /// to every session, idle ones included.
    var streamedAppend: Boxed<StreamedAppend>?
    /// The session's one timer on its shard: autologout, and the keepalive while
    /// in IDLE (Session+Timer.swift).
    var timer: ShardTimer?
    /// The tag of an IDLE command whose waiting is still to come, and the state
    /// kept while waiting (Session+Idle.swift).
    var idleTag: String?
    var idling: IdleState?

    /// How ``run()`` ended.
    enum Exit: Sendable {
        case closed
        /// Continue on `shard` with this state (after login).
        case move(to: Shard, Carried)
    }

    /// The state that travels with a session to its home shard. A class, so an
    /// `Exit` is two references wherever it is held (async frames keep every copy).
    final class Carried: Sendable {
        let machine: SessionStateMachine
        let framer: CommandFramer
        let encoder: ResponseEncoder
        let peer: String
        let plaintextAllowed: Bool
        let tlsActive: Bool
        let userStore: UserStore?
        let loginFailures: Int
        /// Encoded answers not yet written (the login's OK among them).
        let pendingOutput: [UInt8]

        init(
            machine: SessionStateMachine, framer: CommandFramer, encoder: ResponseEncoder, peer: String,
            plaintextAllowed: Bool, tlsActive: Bool, userStore: UserStore?, loginFailures: Int, pendingOutput: [UInt8]
        ) {
            self.tlsActive = tlsActive
            self.machine = machine
            self.framer = framer
            self.encoder = encoder
            self.peer = peer
            self.plaintextAllowed = plaintextAllowed
            self.userStore = userStore
            self.loginFailures = loginFailures
            self.pendingOutput = pendingOutput
        }
    }

    init(connection: Connection, context: SessionContext, peer: String, plaintextAllowed: Bool, tlsActive: Bool = false) {
        self.shard = connection.shard
        self.connection = connection
        self.context = context
        self.peer = peer
        self.plaintextAllowed = plaintextAllowed
        self.tlsActive = tlsActive
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
        tlsActive = carried.tlsActive
        machine = carried.machine
        framer = carried.framer
        encoder = carried.encoder
        userStore = carried.userStore
        loginFailures = carried.loginFailures
        output.writeBytes(carried.pendingOutput)
    }

    /// Serves a new connection until it closes: greeting, commands, and the move to
    /// the user's home shard after login.
    ///
    /// This runs in the connection's task for as long as the connection lives, and a
    /// task keeps the memory of its deepest call stack until it ends (the slabs of
    /// its allocator stay). So this task only ever waits here, in ``run(greet:)``
    /// and IDLE, a few small frames deep; everything that goes deeper (the commands,
    /// the move) runs in a short-lived task of its own.
    ///
    /// After a move the rest of the session runs in a new task on the home shard
    /// (`Connection.handOver`), and this one ends: its executor preference is the
    /// accepting shard, so continuing here would send every resumed read there
    /// first and back (cross-shard hops per command), while scoping a new preference
    /// here would keep deeper frames in this long-lived task (memory per idler).
    static func serve(_ connection: Connection, context: SessionContext, overTLS: Bool = false) async {
        let session = await Session.start(connection, context: context, overTLS: overTLS)
        guard case .move(let target, let carried) = await session.run(greet: true) else {
            session.logClosed()
            await session.leaveShard()
            return
        }
        guard let (moved, start) = await session.move(to: target, carried) else {
            // Counted on the target at login; it never arrived.
            if let user = carried.machine.user { context.releaseSession(user: user, shard: target) }
            return
        }
        await moved.connection.handOver { _ in await servedAfterMove(moved, movedAt: start) }
    }

    /// The rest of a session's life on its home shard (a session moves at most once,
    /// after login); the runtime closes the connection when this returns.
    @inline(never)
    private static func servedAfterMove(_ session: Session, movedAt start: ContinuousClock.Instant) async {
        // Recorded here, already on the target: one hop there, not three.
        await session.arrived(movedAt: start)
        let exit = await session.run(greet: false)
        assert({ if case .move = exit { false } else { true } }(), "a session moves at most once")
        session.logClosed()
        await session.leaveShard()
    }

    @inline(never)
    private static func start(_ connection: Connection, context: SessionContext, overTLS: Bool) async -> Session {
        let peer = await connection.peerAddress()
        return Session(connection: connection, context: context, peer: peer, overTLS: overTLS)
    }

    @inline(never)
    private init(connection: Connection, context: SessionContext, peer: String?, overTLS: Bool) {
        let peer = peer ?? "unknown"
        context.logger.debug("connection from \(peer) on shard \(connection.shard.index)\(overTLS ? " over TLS" : "")")
        self.init(
            connection: connection, context: context, peer: peer,
            plaintextAllowed: overTLS || context.settings.allowsPlaintextAuthentication(peer: peer), tlsActive: overTLS)
    }

    /// The session is over: a logged-in one stops counting on its shard
    /// (HomeShardPlacement). Every way a session ends passes here (LOGOUT first,
    /// then with no user left; the others at the end of ``serve(_:context:)``) or
    /// through a failed move.
    @inline(never)
    func leaveShard() {
        if let user = machine.user { context.releaseSession(user: user, shard: shard) }
    }

    @inline(never)
    private nonisolated func logClosed() {
        context.logger.debug("connection from \(peer) closed")
    }

    /// Moves the connection to `target` and makes the session that continues there
    /// with the carried state (run it on `target`, calling ``arrived(movedAt:)``
    /// first); nil when the connection was lost on the way.
    @inline(never)
    private nonisolated func move(to target: Shard, _ carried: Carried) async -> (Session, ContinuousClock.Instant)? {
        let connection = self.connection, context = self.context, peer = self.peer
        return await Task.immediate(executorPreference: shard) { () async -> (Session, ContinuousClock.Instant)? in
            let start = ContinuousClock.now
            let moved: Connection
            do {
                moved = try await connection.move(to: target)
            } catch {
                context.logger.debug("connection from \(peer) lost while moving to its home shard: \(error)")
                return nil
            }
            return (Session(connection: moved, context: context, carried: carried), start)
        }.value
    }

    /// Runs on the target shard first thing after a move: records what it cost.
    private func arrived(movedAt start: ContinuousClock.Instant) {
        let cost = start.duration(to: .now)
        context.moves.recordMove(cost)
        context.logger.debug("session of \(machine.user ?? "-") from \(peer) moved to home shard \(shard.index) in \(cost)")
    }

    /// The command loop; returns when the connection ends or the session must move.
    /// Commands run in a short-lived task (``handleBufferedCommands()``); this loop,
    /// in the connection's long-lived task, only flushes, reads and idles. It and
    /// ``idle()`` keep their frames small: anything with locals of its own is a
    /// synchronous helper that is not inlined (an async frame keeps every local).
    func run(greet: Bool) async -> Exit {
        beginRun(greet: greet)
        defer { stopTimer() }
        do {
            while true {
                try await handleBufferedCommands()
                // Before a move the answers so far travel with the session (Carried):
                // writing them here would make the move wait for their send.
                if isMoving { return exit! }
                try await flush()
                if let exit { return exit }
                if idleTag != nil {
                    try await idle()
                    continue
                }
                guard let bytes = try await connection.read() else { return .closed }
                received(bytes)
            }
        } catch ConnectionError.shuttingDown {
            await sayGoodbyeOnShutdown()
            return .closed
        } catch {
            logEnd(error)
            return .closed
        }
    }

    @inline(never)
    private func beginRun(greet: Bool) {
        startTimer()
        if greet { sendGreeting() }
    }

    private var isMoving: Bool {
        if case .move = exit { return true }
        return false
    }

    /// Bytes from the client: the framer's, and the autologout clock restarts.
    @inline(never)
    func received(_ bytes: [UInt8]) {
        lastActivity = .now
        // The raw-buffer overload: the generic one is not specialized across modules.
        bytes.withUnsafeBytes { framer.append($0) }
    }

    @inline(never)
    private func sendGreeting() {
        send(.untagged(.condition(StatusResponse(.ok, code: .capability(capabilities), "Mailshard ready"))))
    }

    @inline(never)
    private func sayGoodbyeOnShutdown() async {
        send(.untagged(.condition(StatusResponse(.bye, "Server shutting down"))))
        try? await flush()
    }

    @inline(never)
    private func logEnd(_ error: any Error) {
        context.logger.debug("connection from \(peer) ended: \(error)")
    }

    /// Runs the commands the framer holds until it needs more bytes, a command ends
    /// the loop (`exit`) or one starts IDLE (`idleTag`). Commands answered without
    /// suspending (Session+InlineCommands.swift) run first, right here on the thread's
    /// stack; from the first that may suspend on, the rest run in a task that ends
    /// with them: however deep a command's calls went, their memory goes with that task.
    @inline(never)
    private func handleBufferedCommands() async throws {
        guard let first = try answerBufferedCommandsInline() else { return }
        try await Task.immediate(executorPreference: shard) { [self] in
            try await handle(first)
            while exit == nil, idleTag == nil, let event = framer.nextRangeEvent() {
                try await handle(event)
            }
        }.value
    }

    /// The work the inline pass stopped at: a framer event, or a command it parsed.
    private func handle(_ work: BufferedWork) async throws {
        switch work {
        case .event(let event): try await handle(event)
        case .command(let tagged): try await execute(tagged)
        case let .fetchOutput(tag, byUID, file): try await finishFetchOutput(tag: tag, byUID: byUID, file: file)
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
            guard let tagged = parseCommand(in: range) else { return }
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

    /// The command framed at `range`, or nil after answering a line that does not
    /// parse.
    func parseCommand(in range: Range<Int>) -> TaggedCommand? {
        do {
            return try framer.withUnsafeBytes(in: range) { (frame) throws(CommandParseError) -> TaggedCommand in
                try CommandParser.parseCommand(frame)
            }
        } catch {
            send(error.response)
            return nil
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
            answerFailure(error, of: tagged)
        }
    }

    /// A command's failure (other than the connection's) as its tagged answer.
    func answerFailure(_ error: any Error, of tagged: TaggedCommand) {
        let failure = SessionError(error)
        if failure.isServerSide {
            context.logger.error("\(tagged.command.name) failed for \(machine.user ?? "-"): \(error)")
        }
        send(failure.response(tag: tagged.tag))
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
        case .compress(let algorithm): try await handleCompress(tag: tag, algorithm: algorithm)
        case .startTLS: try await handleStartTLS(tag: tag)
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
        // With room in the queue the waiting write would not wait either: queued at
        // once, without a continuation.
        if connection.hasRoomWithoutWaiting(for: bytes.count), connection.writeWithoutWaiting(bytes) { return }
        try await connection.write(bytes)
    }

    var capabilities: [String] {
        Capabilities.list(
            authenticated: machine.isAuthenticated, plaintextAllowed: plaintextAllowed,
            startTLS: context.certificate != nil && !tlsActive, appendLimit: context.settings.appendLimit)
    }
}

/// A value kept behind a reference, for large session state that is rarely present.
final class Boxed<Value> {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
