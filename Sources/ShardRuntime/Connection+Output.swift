import CURing
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// Queues `bytes` (after the stream layers) and returns once they are queued; waits
    /// first while the connection's queued output is over its bound. Throws when the
    /// connection is closed or is dropped while waiting (`.peerStalled`).
    public nonisolated(nonsending) func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            if shard.isCurrent {
                enqueue(bytes, continuation)
            } else {
                shard.execute { self.enqueue(bytes, continuation) }
            }
        }
    }

    /// Queues `bytes` at once, without suspending, when the caller runs on this
    /// connection's shard thread and the connection is open with its queued output
    /// within `maxOutputBytesPerConnection`; returns false, queuing nothing,
    /// otherwise (then `write(_:)`, which waits, is the way).
    ///
    /// For code that answers many connections in one go on the shard (a change fanned
    /// out to thousands of idle sessions): no task or continuation per connection,
    /// and every send the go queues leaves in the ring's next submission. A writer
    /// that keeps writing while the peer reads nothing soon gets false back, and its
    /// waiting `write` then falls under the stalled-peer timeout as usual.
    public func writeWithoutWaiting(_ bytes: [UInt8]) -> Bool {
        guard shard.isCurrent, isWritable, output.pendingBytes <= settings.maxOutputBytesPerConnection else {
            return false
        }
        guard !bytes.isEmpty else { return true }
        var encoded = bytes
        do {
            for index in layers.indices.reversed() { encoded = try layers[index].encode(encoded) }
        } catch {
            terminate(.layerFailed("\(error)"))
            return true  // taken: the connection is gone, as `write` would report it
        }
        // A layer may keep bytes back (TLS before its handshake has finished).
        guard !encoded.isEmpty else { return true }
        output.append(encoded)
        startSending()
        return true
    }

    /// Asks the CPU to start loading what ``writeWithoutWaiting(_:)`` will touch (this
    /// object and its output queue's storage) without waiting for it, for a caller on
    /// the shard thread about to write to many connections (a fan-out to thousands of
    /// idlers): a pass of these hints over a batch lets the cache misses overlap, where
    /// the writes would meet each one alone, the first behind the atomic retain of a
    /// cold object. A hint only: it changes nothing, and a wrong address cannot fault.
    public func prefetchForWrite() {
        let object = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        for offset in stride(from: 0, to: Self.prefetchedBytes, by: 64) { mailshard_prefetch_for_write(object + offset) }
        mailshard_prefetch_for_write(output.storageAddress)
    }

    /// The span of the object ``prefetchForWrite()`` hints at: its fields, about 480
    /// bytes (the settings a write consults, its state, its output queue and the send
    /// flags lie all over them). Hinting past the end costs a line and harms nothing.
    private static let prefetchedBytes = 512

    /// Queues a file range. Without stream layers it never passes through user space:
    /// by sendfile on the shard thread when it is cached and within
    /// `inlineFileSendLimit`, else file → pipe → socket by splice (a step that finds
    /// the shard's splice pipes all lent out reads and sends a chunk instead); with layers (TLS,
    /// DEFLATE) it is read through the ring in chunks and encoded like any other bytes.
    /// The descriptor is duplicated for the queue unless `range.owner` keeps it open.
    public nonisolated(nonsending) func write(_ range: FileRange) async throws {
        guard range.count > 0 else { return }
        let needsCopy = await withUnsafeContinuation { continuation in
            shard.execute { continuation.resume(returning: !self.layers.isEmpty) }
        }
        if !needsCopy {
            do {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    shard.execute {
                        guard self.isWritable else {
                            continuation.resume(throwing: self.failure ?? .closed)
                            return
                        }
                        let source: FileSource
                        if range.owner != nil {
                            source = FileSource(owned: range)
                        } else {
                            let copy = dup(range.descriptor)
                            guard copy >= 0 else {
                                let code = errno
                                let tableFull = code == EMFILE || code == ENFILE
                                continuation.resume(throwing: tableFull ? DescriptorsExhausted() : SystemError("dup", code: code))
                                return
                            }
                            source = FileSource(descriptor: copy, range: range)
                        }
                        self.output.append(source)
                        self.startSending()
                        self.resumeOrWait(continuation)
                    }
                }
                return
            } catch is DescriptorsExhausted {
                // The process is at its file limit (many ranges queued at once): this
                // range is read and sent as bytes below, from the caller's descriptor.
            }
        }
        let file = RingFile(descriptor: range.descriptor, shard: shard)
        var offset = range.offset
        var left = range.count
        while left > 0 {
            let chunk = try await file.read(at: offset, count: min(left, settings.spliceChunkSize))
            guard !chunk.isEmpty else { throw SystemError("read file range", code: EIO) }
            try await write(chunk)
            offset += UInt64(chunk.count)
            left -= chunk.count
        }
    }

    /// Queues `prefix` and then `range` in one hop to the shard, so the send of the
    /// prefix (a FETCH response's head, say) knows its body follows: the two go out in
    /// one TCP segment where they can (MSG_MORE), both inline when the range is cached.
    /// Same semantics as `write(prefix)` followed by `write(range)`, which is what it
    /// does when stream layers need the range copied or `range.owner` is nil.
    ///
    /// `tailFollows`: the caller will write more right behind the range (a FETCH
    /// response's close and the command's tagged completion), soon and without
    /// waiting on the peer. The two are then held in the queue (see `OutputQueue`)
    /// until the next write or `flush()`, and head, body and what follows leave in one
    /// burst, the bytes after an inline body inline too: the peer wakes once for the
    /// response, not once for the body and again for its tail. Only ranges within
    /// `inlineFileSendLimit`, on a queue within its bound, are held; and a writer
    /// that must wait for the peer releases what is held first.
    public nonisolated(nonsending) func write(_ prefix: [UInt8], then range: FileRange, tailFollows: Bool = false) async throws {
        guard range.count > 0, range.owner != nil else {
            try await write(prefix)
            try await write(range)
            return
        }
        let needsCopy = CopyFlag()
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            // A writer on the shard's own thread (a session) queues at once, as
            // `write(_:)` does: no job and no hop per response.
            if shard.isCurrent {
                enqueue(prefix, then: range, tailFollows: tailFollows, needsCopy: needsCopy, continuation)
            } else {
                shard.execute { self.enqueue(prefix, then: range, tailFollows: tailFollows, needsCopy: needsCopy, continuation) }
            }
        }
        if needsCopy.value { try await write(range) }
    }

    private func enqueue(_ prefix: [UInt8], then range: FileRange, tailFollows: Bool, needsCopy: CopyFlag,
                         _ continuation: UnsafeContinuation<Void, any Error>) {
        guard layers.isEmpty else {
            needsCopy.value = true
            enqueue(prefix, continuation)
            return
        }
        guard isWritable else {
            continuation.resume(throwing: failure ?? .closed)
            return
        }
        queue(prefix, then: range, tailFollows: tailFollows)
        resumeOrWait(continuation)
    }

    /// Whether `count` more bytes (a prefix and file ranges) can be queued now by
    /// ``writeWithoutWaiting(_:then:tailFollows:)``: the caller runs on this
    /// connection's shard thread, the connection is open, no stream layer needs the
    /// ranges copied, and the queue stays within `maxOutputBytesPerConnection`.
    ///
    /// For a caller that must queue several pieces in one synchronous step or none
    /// (a FETCH answered without suspending): on the shard thread nothing else runs
    /// between this answer and its writes, so they all succeed unless one of them
    /// fails the connection.
    public func hasRoomWithoutWaiting(for count: Int) -> Bool {
        shard.isCurrent && isWritable && layers.isEmpty && output.pendingBytes + count <= settings.maxOutputBytesPerConnection
    }

    /// Queues `prefix` and then `range` at once, as `write(_:then:tailFollows:)` does
    /// (held for the tail when `tailFollows`), when that write would not suspend:
    /// on the shard thread, no stream layers, `range.owner` set, and the queue within
    /// its bound with both. Returns false, queuing nothing, otherwise (the waiting
    /// `write` is the way then). Throws the connection's failure when it is closed,
    /// as the waiting `write` would.
    public func writeWithoutWaiting(_ prefix: [UInt8], then range: FileRange, tailFollows: Bool = false) throws(ConnectionError) -> Bool {
        guard shard.isCurrent, layers.isEmpty, range.owner != nil, range.count > 0 else { return false }
        guard isWritable else { throw failure ?? .closed }
        guard output.pendingBytes + prefix.count + range.count <= settings.maxOutputBytesPerConnection else { return false }
        queue(prefix, then: range, tailFollows: tailFollows)
        return true
    }

    /// Appends a prefix and its file range to the queue (held for the tail when it
    /// follows and the range is sent inline) and starts sending.
    private func queue(_ prefix: [UInt8], then range: FileRange, tailFollows: Bool) {
        let source = FileSource(owned: range)
        if tailFollows && range.count <= settings.inlineFileSendLimit
            && output.pendingBytes + prefix.count + range.count <= settings.maxOutputBytesPerConnection {
            output.appendHeld(prefix, source)
        } else {
            output.append(prefix)
            output.append(source)
        }
        startSending()
    }

    /// Waits until everything queued so far has been taken by the kernel (held items
    /// too: they go now).
    public nonisolated(nonsending) func flush() async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            shard.execute {
                self.releaseHeldOutput()
                if let failure = self.failure, !(failure == .closed && self.output.isEmpty) {
                    continuation.resume(throwing: failure)
                } else if self.output.isEmpty && !self.sendInFlight {
                    continuation.resume()
                } else {
                    self.flushWaiters.append(continuation)
                    self.armStallTimer()
                }
            }
        }
    }

    // MARK: Shard thread

    func enqueue(_ bytes: [UInt8], _ continuation: UnsafeContinuation<Void, any Error>) {
        guard isWritable else {
            continuation.resume(throwing: failure ?? .closed)
            return
        }
        var encoded = bytes
        do {
            for index in layers.indices.reversed() { encoded = try layers[index].encode(encoded) }
        } catch {
            let reason = ConnectionError.layerFailed("\(error)")
            terminate(reason)
            continuation.resume(throwing: reason)
            return
        }
        if !encoded.isEmpty {
            output.append(encoded)
            startSending()
        }
        resumeOrWait(continuation)
    }

    /// The writer goes on at once while the queue is within bounds, else waits for the
    /// peer to take bytes (and the stall timer watches that it does). A waiting writer
    /// writes nothing more until the queue drains, so held items go now.
    private func resumeOrWait(_ continuation: UnsafeContinuation<Void, any Error>) {
        if output.pendingBytes <= settings.maxOutputBytesPerConnection {
            continuation.resume()
        } else {
            releaseHeldOutput()
            writeWaiters.append(continuation)
            armStallTimer()
        }
    }

    /// Makes held items (`write(_:then:tailFollows:)`) sendable and starts sending.
    func releaseHeldOutput() {
        if output.releaseHeld() { startSending() }
    }

    /// Starts the next send if none is in flight: gathered byte items (sendmsg), one
    /// large item (SEND_ZC above the threshold), or the next splice step of a file.
    func startSending() {
        guard !sendInFlight, output.hasSendable else { return }
        switch state {
        case .open, .closing: break
        case .closed, .moved: return
        }
        switch output.first! {
        case .file(let source):
            sendFileStep(source)
        case .bytes:
            sendBytes()
        }
    }

    private func sendBytes() {
        let descriptor = self.descriptor
        if let (array, offset) = output.soleLeadingBytes {
            let count = array.count - offset
            let base = array.withUnsafeBytes { $0.baseAddress! } + offset
            // A head followed by its body: MSG_MORE lets TCP put both in one segment.
            let following = output.fileAfterLeadingBytes
            if let following, sendWholeResponseInline(UnsafeRawBufferPointer(start: base, count: count), before: following) { return }
            if let following, sendHeadInline(base, count, before: following) { return }
            // The tail of a body just sent inline: inline too, in the same burst.
            if following == nil, sendTailInline(base, count) { return }
            sendInFlight = true
            let flags = Int32(MSG_NOSIGNAL) | (following == nil ? 0 : Int32(MSG_MORE))
            if following == nil && settings.sendZeroCopyThreshold > 0 && count >= settings.sendZeroCopyThreshold {
                var reported = false
                shard.submit({ sqe in
                    io_uring_prep_send_zc(sqe, descriptor.rawValue, base, count, Int32(MSG_NOSIGNAL), 0)
                    descriptor.target(sqe)
                }) { result, flags in
                    if flags & IORING_CQE_F_NOTIF != 0 {
                        _ = array  // the kernel is done with the pages only now
                        return true
                    }
                    if !reported {
                        reported = true
                        self.sendCompleted(result, isFile: false)
                    }
                    return flags & IORING_CQE_F_MORE == 0
                }
            } else {
                // `array` stays in the queue, unchanged, until the completion consumes it.
                shard.submitSend(of: self) { sqe in
                    io_uring_prep_send(sqe, descriptor.rawValue, base, count, flags)
                    descriptor.target(sqe)
                }
            }
            return
        }
        sendInFlight = true
        let message = MessageBox(pieces: output.leadingBytes(limit: 64))
        shard.submit({ sqe in
            io_uring_prep_sendmsg(sqe, descriptor.rawValue, message.header, UInt32(MSG_NOSIGNAL))
            descriptor.target(sqe)
        }) { result, _ in
            _ = message
            self.sendCompleted(result, isFile: false)
            return true
        }
    }

    /// Accounts for a finished send (bytes or splice), wakes writers, starts the next.
    func sendCompleted(_ result: Int32, isFile: Bool) {
        sendInFlight = false
        switch state {
        case .closed, .moved:
            output.removeAll()
            discardSplicePipe()
            return
        case .open, .closing:
            break
        }
        if result < 0 && result != -EAGAIN && result != -EINTR {
            terminate(.closed)
            return
        }
        if result > 0 {
            bytesSent += UInt64(result)
            if isFile { output.consumeFile(Int(result)) } else { output.consumeBytes(Int(result)) }
        } else if isFile {
            output.consumeFile(0)
        }
        if output.pendingBytes <= settings.maxOutputBytesPerConnection / 2 || output.isEmpty {
            let writers = writeWaiters
            writeWaiters.removeAll()
            for writer in writers { writer.resume() }
        }
        if output.isEmpty {
            let flushers = flushWaiters
            flushWaiters.removeAll()
            for flusher in flushers { flusher.resume() }
            if case .closing = state {
                terminate(.closed)
                return
            }
        }
        startSending()
    }

    /// Watches a connection with waiting output: if no byte goes out during a whole
    /// `stalledPeerTimeout`, the peer is dropped and logged.
    func armStallTimer() {
        guard !stallTimerArmed else { return }
        stallTimerArmed = true
        let mark = bytesSent
        shard.after(settings.stalledPeerTimeout) { [self] in
            stallTimerArmed = false
            guard isWaitingOnPeer else { return }
            if bytesSent == mark {
                shard.log("shard \(shard.index): dropping connection (\(descriptor)): peer read nothing for \(settings.stalledPeerTimeout) with \(output.pendingBytes) bytes queued")
                terminate(.peerStalled)
            } else {
                armStallTimer()
            }
        }
    }

    private var isWaitingOnPeer: Bool {
        switch state {
        case .closed, .moved: return false
        case .closing: return !output.isEmpty
        case .open: return !writeWaiters.isEmpty || !flushWaiters.isEmpty
        }
    }
}

/// Set on the shard thread before the continuation resumes, read after: the resume
/// orders the two.
private final class CopyFlag: @unchecked Sendable {
    var value = false
}

/// dup of a file range's descriptor failed for want of descriptors (EMFILE, ENFILE).
private struct DescriptorsExhausted: Error {}

/// A `msghdr` and its iovecs at a stable address for one sendmsg in flight; holds the
/// arrays the iovecs point into so their storage stays alive.
final class MessageBox {
    let header: UnsafeMutablePointer<msghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let arrays: [[UInt8]]

    init(pieces: [(array: [UInt8], offset: Int)]) {
        arrays = pieces.map(\.array)
        vectors = .allocate(capacity: pieces.count)
        for (index, piece) in pieces.enumerated() {
            let base = piece.array.withUnsafeBytes { $0.baseAddress! } + piece.offset
            vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: piece.array.count - piece.offset)
        }
        header = .allocate(capacity: 1)
        header.initialize(to: msghdr())
        header.pointee.msg_iov = vectors
        header.pointee.msg_iovlen = pieces.count
    }

    deinit {
        header.deallocate()
        vectors.deallocate()
    }
}
