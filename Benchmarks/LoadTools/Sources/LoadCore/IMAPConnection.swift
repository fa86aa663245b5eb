import IMAPCodec

/// What a command brought back: the untagged responses before its tagged completion.
public struct Exchange: Sendable {
    public var untagged: [UntaggedResponse]
    public var status: StatusResponse
    /// Bytes received for this command (protocol overhead included).
    public var receivedBytes: Int

    public init(untagged: [UntaggedResponse], status: StatusResponse, receivedBytes: Int = 0) {
        self.untagged = untagged
        self.status = status
        self.receivedBytes = receivedBytes
    }
}

/// One IMAP client connection on a blocking socket: send a command, read until its
/// tagged completion. Server output is framed and parsed by a ``ResponseReader``.
public final class IMAPConnection {
    public let socket: ClientSocket
    public private(set) var capabilities: Set<String> = []
    var reader: ResponseReader
    private var encoder = CommandEncoder(literalMode: .synchronizing)
    private var nextTag = 1
    private let readBuffer: UnsafeMutableRawBufferPointer
    var receivedSinceMark = 0

    /// Connects and reads the greeting; a BYE or anything but OK/PREAUTH is an error.
    /// Literals larger than `streamLiteralsAbove` bytes are counted as they pass, never
    /// copied (``StreamedLiterals``), so fetching bodies costs the client little.
    /// With `tls` the connection is implicit TLS: the handshake comes first.
    public init(
        host: String, port: UInt16, sourceAddress: String? = nil, receiveTimeoutSeconds: Int = 30,
        streamLiteralsAbove: Int = 16 * 1024, tls: ClientTLSContext? = nil
    ) throws(LoadError) {
        socket = try ClientSocket(host: host, port: port, sourceAddress: sourceAddress, receiveTimeoutSeconds: receiveTimeoutSeconds)
        if let tls { try socket.startTLS(tls, host: host) }
        reader = ResponseReader(streamLiteralsAbove: streamLiteralsAbove)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let greeting = try nextResponse()
        guard case .untagged(.condition(let status)) = greeting else { throw LoadError("greeting", "not a greeting: \(greeting)") }
        switch status.kind {
        case .ok, .preauth:
            if case .capability(let list)? = status.text.code { noteCapabilities(list) }
        case .bye: throw LoadError("BYE", "greeting: \(status.text.text)")
        default: throw LoadError("greeting", "\(status.kind.rawValue) \(status.text.text)")
        }
    }

    deinit { readBuffer.deallocate() }

    public func close() { socket.close() }

    func noteCapabilities(_ list: [String]) {
        capabilities = Set(list.map { $0.uppercased() })
        if capabilities.contains("LITERAL+") { encoder.literalMode = .nonSynchronizing }
    }

    public func hasCapability(_ name: String) -> Bool { capabilities.contains(name.uppercased()) }

    /// Sends `command` and collects responses up to its tagged completion. A tagged NO
    /// or BAD is returned, not thrown: the caller's validator decides.
    public func execute(_ command: Command) throws(LoadError) -> Exchange {
        let tag = try send(command)
        expectingBye = command == .logout
        defer { expectingBye = false }
        return try collect(tag: tag)
    }

    /// Only LOGOUT may be answered with an untagged BYE; anywhere else it ends the
    /// connection and is an error of kind `BYE`.
    private var expectingBye = false

    /// Sends `command` (waiting for `+` at synchronizing literals); returns its tag.
    @discardableResult
    public func send(_ command: Command) throws(LoadError) -> String {
        let tag = "a\(nextTag)"
        nextTag += 1
        let encoded = encoder.encode(TaggedCommand(tag: tag, command: command))
        var start = 0
        for point in encoded.continuationPoints {
            try socket.send(encoded.bytes[start..<point])
            start = point
            try awaitContinuation(tag: tag)
        }
        try socket.send(encoded.bytes[start...])
        return tag
    }

    /// Sends raw bytes (DONE after IDLE).
    public func sendLine(_ text: String) throws(LoadError) {
        try socket.send(ArraySlice(Array((text + "\r\n").utf8)))
    }

    /// Reads until the server's `+` (after IDLE or before a synchronizing literal).
    public func awaitContinuation(tag: String) throws(LoadError) {
        while true {
            let response = try nextResponse()
            switch response {
            case .continuation: return
            case .tagged(let got, let status) where got == tag:
                throw LoadError(status.kind.rawValue + " continuation", status.text.text)
            case .untagged(.condition(let status)) where status.kind == .bye:
                throw LoadError("BYE", status.text.text)
            default: continue
            }
        }
    }

    /// Collects untagged responses until the completion tagged `tag`.
    public func collect(tag: String) throws(LoadError) -> Exchange {
        var untagged: [UntaggedResponse] = []
        receivedSinceMark = 0
        while true {
            if let status = try settle(try nextResponse(), tag: tag, untagged: { untagged.append($0) }) {
                return Exchange(untagged: untagged, status: status, receivedBytes: receivedSinceMark)
            }
        }
    }

    /// One response of the exchange tagged `tag`: its completion's status, or nil after
    /// handing an untagged response to `untagged`. A completion for another tag, a
    /// continuation request or a BYE (but after LOGOUT) is an error; CAPABILITY lists
    /// are noted on the way.
    func settle(_ response: Response, tag: String, untagged: (UntaggedResponse) -> Void) throws(LoadError) -> StatusResponse? {
        switch response {
        case .tagged(let got, let status):
            guard got == tag else { throw LoadError("protocol", "completion for unknown tag \(got)") }
            if case .capability(let list)? = status.text.code { noteCapabilities(list) }
            return status
        case .untagged(let response):
            if case .capability(let list) = response { noteCapabilities(list) }
            if case .condition(let status) = response, status.kind == .bye, !expectingBye {
                throw LoadError("BYE", status.text.text)
            }
            untagged(response)
            return nil
        case .continuation:
            throw LoadError("protocol", "unexpected continuation request")
        }
    }

    /// Logs in; a NO/BAD (or BYE) becomes a `login` error the reports single out.
    public func login(user: String, password: String) throws(LoadError) {
        let exchange: Exchange
        do {
            exchange = try execute(.login(username: user, password: password))
        } catch {
            throw LoadError("login", "\(error)")
        }
        guard exchange.status.kind == .ok else {
            throw LoadError("login", "\(exchange.status.kind.rawValue) \(exchange.status.text.text)")
        }
        if capabilities.isEmpty || exchange.status.text.code == nil && !capabilities.contains("IMAP4REV1") && !capabilities.contains("IMAP4REV2") {
            let capability = try execute(.capability)
            guard capability.status.kind == .ok else { throw LoadError("NO CAPABILITY", capability.status.text.text) }
        }
    }

    /// Responses already received and parsed but not yet consumed, without blocking.
    public var hasBufferedResponse: Bool { reader.hasPending }

    /// The next response, reading from the socket as needed.
    public func nextResponse() throws(LoadError) -> Response {
        while true {
            if let response = reader.next() { return response }
            try receiveOnce()
        }
    }

    /// One `recv`, with every complete response it finishes parsed into the queue. Used
    /// directly by readiness-driven code (the IDLE fan-out's appender) once the socket
    /// turned readable.
    public func receiveOnce() throws(LoadError) {
        let count = try socket.receive(into: readBuffer)
        receivedSinceMark += count
        try reader.take(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
    }

    /// One `recv` into `scratch` for a connection in IDLE, with what it brought applied
    /// to `view` (``takeIdleBytes(_:into:)``). `scratch` may be shared by every
    /// connection one thread drives: no bytes stay in it after the call.
    public func receiveIdleUpdates(into view: inout MailboxView, scratch: UnsafeMutableRawBufferPointer) throws(LoadError) {
        let count = try socket.receive(into: scratch)
        try takeIdleBytes(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), into: &view)
    }

    /// Whether no response is partly received: the next bytes start a response, so a
    /// reader may try the size-update fast lane on them (``SizeUpdateScanner``).
    public var isAtResponseBoundary: Bool { reader.isAtResponseBoundary }

    /// Bytes received for this connection in IDLE (by ``receiveIdleUpdates(into:scratch:)``
    /// or a readiness loop reading its socket), applied to `view`. A chunk of nothing but
    /// whole `* n EXISTS` / `* n RECENT` lines at a response boundary is checked and
    /// applied straight from the bytes; anything else goes through the framer and parser
    /// like every other response, and its untagged responses are applied (tagged ones and
    /// continuations are dropped, as an idler expects none).
    public func takeIdleBytes(_ bytes: UnsafeRawBufferPointer, into view: inout MailboxView) throws(LoadError) {
        receivedSinceMark += bytes.count
        if isAtResponseBoundary, try SizeUpdateScanner.apply(bytes, to: &view) { return }
        try reader.take(bytes)
        var untagged: [UntaggedResponse] = []
        for case .untagged(let response) in reader.drain() { untagged.append(response) }
        try view.apply(untagged)
    }

    /// Takes the queued responses received so far.
    public func drainPending() -> [Response] { reader.drain() }
}
