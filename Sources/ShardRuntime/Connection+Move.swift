import CURing
#if canImport(Glibc)
import Glibc
#endif

/// What the source shard hands over in a move: the layers, the socket as the target
/// ring names it, the peer address; or `stay` when the target cannot take the socket.
private enum Handoff: Sendable {
    case moved(LayerStack, SocketDescriptor, String?)
    case stay
}

extension Connection {
    /// Hands this connection to `target`'s ring and returns the object to use from
    /// now on; this one then fails every call with `.moved`. Queued output is flushed
    /// first; no read may be in progress. Continue the session on the target with
    /// `target.run { ... }` (or an actor isolated to it) so its code shares the thread.
    ///
    /// A socket in a registered file table is sent to the target ring's table with
    /// `IORING_OP_MSG_RING` (`IORING_MSG_SEND_FD`) and its slot here is closed. When
    /// the target has no table or no free slot, the connection stays on this shard
    /// and `self` is returned: still correct (every call hops to this shard), only
    /// without the affinity the move was for. It is logged.
    public nonisolated(nonsending) func move(to target: Shard) async throws -> Connection {
        if target === shard { return self }
        try await flush()
        let handoff: Handoff = try await withUnsafeThrowingContinuation { continuation in
            shard.execute {
                if let failure = self.failure {
                    continuation.resume(throwing: failure)
                    return
                }
                precondition(self.readContinuation == nil, "move(to:) while a read is in progress")
                guard self.output.isEmpty && !self.sendInFlight else {
                    continuation.resume(throwing: ConnectionError.closed)
                    return
                }
                switch self.descriptor {
                case .ordinary:
                    continuation.resume(returning: self.detach(as: self.descriptor))
                case .fixed(let slot):
                    self.sendSlot(slot, to: target) { continuation.resume(with: $0) }
                }
            }
        }
        guard case .moved(let stack, let descriptor, let peer) = handoff else { return self }
        let moved = Connection(descriptor: descriptor, shard: target, layers: stack.layers, peerAddress: peer)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            shard.execute {
                self.movedTo = moved
                continuation.resume()
            }
        }
        // Not awaited: a wait would cost a hop back here before the caller hops to the
        // target. The remote queue is FIFO, so this runs there before anything the
        // caller (or a shutdown) queues on the target after this call.
        target.execute {
            target.connections[moved.key] = moved
            if descriptor.isFixed { target.fixedFilesInUse += 1 }
            if target.stopping { moved.requestShutdown() }
        }
        return moved
    }

    // MARK: Shard thread

    /// Sends the file in `slot` to `target`'s table; `done` gets the handoff, `stay`
    /// when the target refused it, or the connection's failure if it ended meanwhile.
    private func sendSlot(_ slot: UInt32, to target: Shard, done: @escaping (Result<Handoff, any Error>) -> Void) {
        let targetRing = target.ringDescriptor.load(ordering: .acquiring)
        guard target.fixedFileSlots > 0, targetRing >= 0 else {
            shard.log("shard \(shard.index): connection stays (shard \(target.index) has no registered file table)")
            done(.success(.stay))
            return
        }
        shard.submit({ sqe in mailshard_prep_msg_ring_send_fixed(sqe, targetRing, slot) }) { [self] result, _ in
            if let failure {
                // Ended while the file was on its way (aborted): terminate() closed the
                // slot here; the copy the target may have got has no owner.
                if result >= 0 { target.execute { target.submitUnobserved { sqe in io_uring_prep_close_direct(sqe, UInt32(result)) } } }
                done(.failure(failure))
            } else if result >= 0 {
                shard.closeFixedSlot(slot)
                done(.success(detach(as: .fixed(slot: UInt32(result)))))
            } else {
                shard.log("shard \(shard.index): connection stays (sending its socket to shard \(target.index) failed: \(SystemError("msg_ring", code: -result)))")
                done(.success(.stay))
            }
            return true
        }
    }

    /// Marks this connection moved and gives up its layers and its shard's record of it.
    private func detach(as descriptor: SocketDescriptor) -> Handoff {
        state = .moved
        releaseInlineSocket()  // the target installs its own if it needs one
        let stack = LayerStack(layers: layers)
        layers = []
        shard.connections[key] = nil
        shard.connectionRemoved()
        return .moved(stack, descriptor, cachedPeerAddress)
    }
}
