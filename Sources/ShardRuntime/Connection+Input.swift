import CURing
#if canImport(Glibc)
import Glibc
#endif

/// How one receive ended, handed from the shard thread to the reader.
enum ReadOutcome: Sendable {
    case bytes([UInt8])
    case endOfStream
    case failed(any Error)
}

extension Connection {
    /// Reads the next bytes from the peer (after the stream layers), or nil once the
    /// peer has closed its side. No buffer is held while waiting: the kernel picks a
    /// provided buffer when data arrives, the bytes are copied out and the buffer goes
    /// straight back. Throws `.shuttingDown` once the runtime stops, `CancellationError`
    /// if the task is cancelled while waiting.
    ///
    /// Runs in the caller's isolation (`isolation`, the caller's actor by default). The
    /// cancellation handler's operation captures it so that it runs there too: an
    /// operation closure that does not is nonisolated, and entering it gave up the
    /// caller's executor for the generic one and leaving it took the executor back —
    /// for a session task that prefers its shard, two jobs through the shard's queue
    /// per read (each a malloc, an enqueue and a turn), where none is needed.
    public func read(isolation: isolated (any Actor)? = #isolation) async throws -> [UInt8]? {
        while true {
            let outcome = await withTaskCancellationHandler(operation: {
                _ = isolation  // captured: the closure is isolated to the caller's actor
                return await withUnsafeContinuation { (continuation: UnsafeContinuation<ReadOutcome, Never>) in
                    // On the shard already (the usual case): no closure to allocate.
                    if shard.isCurrent {
                        beginRead(continuation)
                    } else {
                        shard.execute { self.beginRead(continuation) }
                    }
                }
            }, onCancel: {
                shard.execute { self.cancelRead() }
            }, isolation: isolation)
            switch outcome {
            case .bytes(let bytes):
                if bytes.isEmpty { continue }  // a layer consumed them all (a handshake record)
                return bytes
            case .endOfStream:
                return nil
            case .failed(let error):
                throw error
            }
        }
    }

    func beginRead(_ continuation: UnsafeContinuation<ReadOutcome, Never>) {
        precondition(readContinuation == nil, "one read at a time on a connection")
        switch state {
        case .moved:
            continuation.resume(returning: .failed(ConnectionError.moved))
            return
        case .closed(let reason):
            continuation.resume(returning: peerClosed ? .endOfStream : .failed(reason))
            return
        case .open, .closing:
            break
        }
        if peerClosed {
            continuation.resume(returning: .endOfStream)
            return
        }
        if shutdownRequested {
            continuation.resume(returning: .failed(ConnectionError.shuttingDown))
            return
        }
        if Task.isCancelled {
            continuation.resume(returning: .failed(CancellationError()))
            return
        }
        if layers.contains(where: \.holdsDecodedInput) {
            let outcome = decodeInbound([])
            if case .bytes(let bytes) = outcome, bytes.isEmpty {
                // Nothing after all: read the socket.
            } else {
                continuation.resume(returning: outcome)
                return
            }
        }
        readContinuation = continuation
        readCancelReason = nil
        readCancelledByTask = false
        submitReceive()
    }

    func cancelRead() {
        guard readContinuation != nil else { return }
        readCancelledByTask = true
        if let id = readOperation { shard.cancelOperation(id) }
    }

    private func submitReceive() {
        let descriptor = self.descriptor
        let group = shard.receiveBuffers.groupID
        readOperation = shard.submit({ sqe in
            io_uring_prep_recv(sqe, descriptor.rawValue, nil, 0, 0)
            descriptor.target(sqe)
            sqe.pointee.flags |= mailshard_iosqe_buffer_select()
            sqe.pointee.buf_group = group
        }) { result, flags in
            self.receiveCompleted(result: result, flags: flags)
            return true
        }
    }

    private func receiveCompleted(result: Int32, flags: UInt32) {
        readOperation = nil
        var received: [UInt8]? = nil
        if result > 0 && flags & IORING_CQE_F_BUFFER != 0 {
            let bufferID = Int(flags >> IORING_CQE_BUFFER_SHIFT)
            received = Array(shard.receiveBuffers.bytes(id: bufferID, count: Int(result)))
            shard.receiveBuffers.recycle(id: bufferID)
        }
        guard let continuation = readContinuation else { return }
        if let received {
            readContinuation = nil
            continuation.resume(returning: decodeInbound(received))
            return
        }
        let stopping = failure != nil || readCancelledByTask || readCancelReason != nil
        switch result {
        case 0 where failure != nil:
            // Our own shutdown of the socket (drop, close, runtime stop) ended the read.
            readContinuation = nil
            continuation.resume(returning: .failed(failure!))
        case 0:
            peerClosed = true
            readContinuation = nil
            continuation.resume(returning: .endOfStream)
        case -ENOBUFS where !stopping:
            // Every provided buffer is in use this instant; they come back within the
            // turn, so try again on the next one.
            shard.receiveRetries += 1
            shard.schedule { [self] in
                if self.readContinuation != nil { self.submitReceive() }
            }
        case -EINTR where !stopping, -EAGAIN where !stopping:
            submitReceive()
        case -ECANCELED, -EINTR, -EAGAIN, -ENOBUFS:
            readContinuation = nil
            if let failure {
                continuation.resume(returning: .failed(failure))
            } else if readCancelledByTask {
                continuation.resume(returning: .failed(CancellationError()))
            } else {
                continuation.resume(returning: .failed(readCancelReason ?? .closed))
            }
        default:
            readContinuation = nil
            if let failure {
                continuation.resume(returning: .failed(failure))
            } else {
                continuation.resume(returning: .failed(SystemError("recv", code: -result)))
            }
        }
    }

    /// Runs received bytes up the layer stack; answers a layer asks for go back down.
    private func decodeInbound(_ bytes: [UInt8]) -> ReadOutcome {
        guard !layers.isEmpty else { return .bytes(bytes) }
        var current = bytes
        do {
            for index in layers.indices {
                var reply: [UInt8] = []
                current = try layers[index].decode(current, reply: &reply)
                if !reply.isEmpty {
                    for lower in (0..<index).reversed() { reply = try layers[lower].encode(reply) }
                    output.append(reply)
                    startSending()
                }
            }
        } catch {
            let reason = ConnectionError.layerFailed("\(error)")
            terminate(reason)
            return .failed(reason)
        }
        return .bytes(current)
    }
}
