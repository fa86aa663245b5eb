import CURing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One accepted TCP connection, bound to the shard whose ring drives it.
///
/// Every method may be called from any task; the work happens on the shard's thread
/// (at once when the caller is already there: a task started by the runtime for this
/// connection, or an actor isolated to the shard). One read at a time; writes queue
/// in order and go out with one send in flight. Output is bounded: a writer waits
/// while more than `maxOutputBytesPerConnection` is queued, and a peer that takes
/// nothing for `stalledPeerTimeout` is dropped (logged).
///
/// All stored state below is touched on the shard thread only.
public final class Connection: @unchecked Sendable {
    enum State {
        case open
        /// `close()` was called: queued output drains, then the socket closes.
        case closing
        case closed(ConnectionError)
        case moved
    }

    /// The shard whose ring serves this connection.
    public let shard: Shard
    /// The socket (owned): a process descriptor or a slot in the shard's file table.
    let descriptor: SocketDescriptor
    let settings: RuntimeSettings

    var state: State = .open
    /// Where this connection went with `move(to:)`; `close()` follows it there.
    var movedTo: Connection?
    var layers: [any StreamLayer]
    var peerClosed = false
    var cachedPeerAddress: String?
    var shutdownRequested = false
    /// Set (on the shard thread) once the connection is closed; read from any thread
    /// by the connection it moved from, so closing that one costs no hop here.
    let hasTerminated = Atomic<Bool>(false)
    /// Set by `handOver(_:)`: a task of its own now owns the connection and closes
    /// it, so the handler that accepted it (or the connection it moved from) must not.
    let handedOver = Atomic<Bool>(false)

    // Input.
    var readContinuation: UnsafeContinuation<ReadOutcome, Never>?
    var readOperation: UInt64?
    var readCancelReason: ConnectionError?
    var readCancelledByTask = false

    // Output.
    var output = OutputQueue()
    var sendInFlight = false
    var bytesSent: UInt64 = 0
    var writeWaiters: [UnsafeContinuation<Void, any Error>] = []
    var flushWaiters: [UnsafeContinuation<Void, any Error>] = []
    var closeWaiters: [() -> Void] = []
    var stallTimerArmed = false
    /// The pipe borrowed from the shard's pool for the splice step in flight, kept
    /// between steps only while it holds bytes of the current file range.
    var splicePipe: SplicePipe?
    /// The socket as a non-blocking process descriptor for inline sendfile(2), once a
    /// file range asked for it (Connection+InlineFileOutput).
    var inlineSocket: InlineSocket = .unknown
    /// File steps that waited for POLLOUT on the ring (a full socket, or an inline
    /// step's bound reached); for tests and statistics.
    var writableWaits = 0
    /// Set while the completion of a range that just finished inline runs: bytes
    /// queued right behind it go inline too (Connection+InlineFileOutput).
    var inlineBurst = false
    /// Byte items sent inline right behind a range (tests and statistics).
    var tailsSentInline = 0
    /// TCP_CORK is set on the inline descriptor: only between a range's last sendfile
    /// and the bytes behind it, never past the inline step that set it.
    var socketCorked = false
    /// Tails that left in the corked segment of their body (tests and statistics).
    var corkedTails = 0
    /// Responses that left whole in one splice from the assembly pipe, and those of
    /// them the socket took only in part (Connection+WholeResponse; tests, statistics).
    var wholeResponsesSpliced = 0
    var wholeResponsesCut = 0
    /// Hang-up watches armed now, with their polls (Connection+HangUp).
    var hangUpWatches: [ObjectIdentifier: (watch: HangUpWatch, poll: UInt64)] = [:]

    init(descriptor: SocketDescriptor, shard: Shard, layers: [any StreamLayer] = [], peerAddress: String? = nil) {
        self.descriptor = descriptor
        self.shard = shard
        self.settings = shard.settings
        self.layers = layers
        self.cachedPeerAddress = peerAddress
    }

    var key: ObjectIdentifier { ObjectIdentifier(self) }

    var isWritable: Bool {
        if case .open = state { return true }
        return false
    }

    /// Why operations fail now, or nil while open.
    var failure: ConnectionError? {
        switch state {
        case .open: return nil
        case .closing: return .closed
        case .closed(let reason): return reason
        case .moved: return .moved
        }
    }

    // MARK: Public API

    /// Bytes queued for this connection and not yet taken by the kernel.
    public nonisolated(nonsending) func queuedOutputBytes() async -> Int {
        await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: self.output.pendingBytes) }
        }
    }

    /// Adds a stream layer on top of the stack (closest to the protocol). Bytes read
    /// after this call are decoded by it and bytes written after it are encoded by it;
    /// call it after the response that announces the layer has been flushed.
    public nonisolated(nonsending) func pushLayer(_ layer: some StreamLayer) async throws {
        let stack = LayerStack(layers: [layer])
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            shard.execute {
                if let failure = self.failure {
                    continuation.resume(throwing: failure)
                } else {
                    self.layers.append(contentsOf: stack.layers)
                    continuation.resume()
                }
            }
        }
    }

    /// Closes gracefully: stream layers add their final bytes, queued output drains
    /// (bounded by the stalled-peer timeout), then the socket closes. Idempotent. On a
    /// connection that has moved, closes the moved one (the runtime closes the
    /// connection when the handler that accepted it returns, wherever it went).
    public nonisolated(nonsending) func close() async {
        let forward: Connection? = await withUnsafeContinuation { continuation in
            shard.execute {
                if case .moved = self.state {
                    continuation.resume(returning: self.movedTo)
                } else {
                    self.beginClose(then: { continuation.resume(returning: nil) })
                }
            }
        }
        // A moved connection that its new owner closed already needs no visit.
        if let forward, !forward.hasTerminated.load(ordering: .acquiring), !forward.handedOver.load(ordering: .acquiring) {
            await forward.close()
        }
    }

    /// Drops the connection now, discarding queued output. Safe from any thread.
    public func abort() {
        shard.execute { self.terminate(.closed) }
    }

    // MARK: Shard thread

    /// The runtime is stopping: a read waiting for the peer ends with `.shuttingDown`.
    func requestShutdown() {
        shutdownRequested = true
        endHangUpWatches(.shuttingDown)
        if let id = readOperation, readCancelReason == nil {
            readCancelReason = .shuttingDown
            shard.cancelOperation(id)
        }
    }

    func beginClose(then done: @escaping () -> Void) {
        guard case .open = state else {
            if case .closing = state { closeWaiters.append(done) } else { done() }
            return
        }
        closeWaiters.append(done)
        var finalBytes: [UInt8] = []
        do {
            for index in layers.indices.reversed() {
                finalBytes = try layers[index].encode(finalBytes) + layers[index].finish()
            }
        } catch {
            terminate(.layerFailed("\(error)"))
            return
        }
        endHangUpWatches(.closed)
        output.releaseHeld()  // nothing follows them now
        output.append(finalBytes)
        state = .closing
        if output.isEmpty && !sendInFlight {
            terminate(.closed)
        } else {
            startSending()
            armStallTimer()
        }
    }

    /// Ends the connection for `reason`: shuts the socket down (which completes any
    /// receive or send in flight), closes it, fails every waiter.
    func terminate(_ reason: ConnectionError) {
        switch state {
        case .closed, .moved: return
        case .open, .closing: break
        }
        state = .closed(reason)
        hasTerminated.store(true, ordering: .releasing)
        endHangUpWatches(reason)
        descriptor.submitShutdownAndClose(on: shard)
        if descriptor.isFixed { shard.fixedFilesInUse -= 1 }
        releaseInlineSocket()
        if !sendInFlight {
            output.removeAll()
            discardSplicePipe()
        }
        let writers = writeWaiters + flushWaiters
        writeWaiters.removeAll()
        flushWaiters.removeAll()
        for writer in writers { writer.resume(throwing: reason) }
        let closers = closeWaiters
        closeWaiters.removeAll()
        for closer in closers { closer() }
        shard.connections[key] = nil
        shard.connectionRemoved()
    }
}
