import CURing
#if canImport(Glibc)
import Glibc
#endif

// File ranges sent inline: sendfile(2) on the shard thread, from the page cache to a
// non-blocking socket, as a plain file-to-socket server does. The splice chain costs
// an io-wq worker wake-up and a trip back per step (io_uring runs every splice off
// the submitting thread); a 100 KiB body that the kernel can copy at once in ~20 µs
// paid more for that hop than for the copy. The ring is still where the shard waits:
// a full socket (EAGAIN) arms a POLLOUT on the ring and the step resumes when it
// fires, so a slow peer holds nothing but its queue.
//
// A range is sent inline only when it is at most `inlineFileSendLimit` bytes, when
// cachestat(2) says all its pages are cached (the shard thread must never wait for
// the disk), and when the connection's splice pipe and stage hold none of its bytes;
// otherwise the step takes the splice or copy path. Large bodies keep the splice
// chain: on a busy machine its io-wq workers moved 10 MiB bodies faster than the
// shard thread alone (Benchmarks/results/load-bodies.md).
// A socket in the ring's registered file table gets a process descriptor once, at
// its first file range (IORING_OP_FIXED_FD_INSTALL), closed with the connection;
// where that fails (no descriptors left, an older kernel) it stays on the splice path.

/// The socket as a process descriptor for inline sends.
enum InlineSocket {
    /// Not asked for yet.
    case unknown
    /// A fixed slot's descriptor is being installed (a step waits for it).
    case installing
    /// Non-blocking descriptor of the socket; `owned`: installed for this purpose
    /// (closed with the connection), else the connection's own ordinary descriptor.
    case ready(Int32, owned: Bool)
    /// Inline sends are off, or the descriptor could not be had: splice path only.
    case unavailable
}

extension Connection {
    /// Most bytes one inline step sends before the shard turns to its other
    /// connections (through a POLLOUT that fires at once): with the size limit raised,
    /// a 10 MiB body still never holds the thread for its whole copy.
    static let inlineStepLimit = 1 << 20

    /// Takes the step of `source` inline when it can; false leaves it to the splice
    /// or copy path. True when the step is under way (sent, waiting for POLLOUT, or
    /// waiting for the socket's descriptor).
    func sendFileStepInline(_ source: FileSource) -> Bool {
        if source.awaitsWritable {
            awaitWritable(source)
            return true
        }
        guard source.inPipe == 0, source.staged == source.stagedSent else { return false }
        switch inlineSocket {
        case .unavailable, .installing:
            return false
        case .unknown:
            return prepareInlineSocket(then: source)
        case .ready(let socket, _):
            guard decideInline(source) else { return false }
            sendInline(source, to: socket)
            return true
        }
    }

    /// Sends a response's head inline, with MSG_MORE, when its body (`source`, next in
    /// the queue) goes inline right after: head and body leave in one segment, with no
    /// trip through the ring. True when the head was dealt with (sent in whole or in
    /// part, or the connection failed); false leaves it to the ring (the socket is
    /// full, or the body will not go inline).
    func sendHeadInline(_ base: UnsafeRawPointer, _ count: Int, before source: FileSource) -> Bool {
        guard case .ready(let socket, _) = inlineSocket, !source.awaitsWritable,
              source.inPipe == 0, source.staged == source.stagedSent else { return false }
        guard decideInline(source) else { return false }
        return sendBytesInline(base, count, on: socket, flags: Int32(MSG_MORE))
    }

    /// Sends the bytes that follow a range the same burst just finished inline (the
    /// response's close and the command's tagged completion, queued behind a held
    /// body): they leave right behind the body, not in the ring's next submission,
    /// so the peer finds them with it (bytes large enough for SEND_ZC keep it). Same
    /// result contract as `sendHeadInline`.
    func sendTailInline(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        guard inlineBurst, case .ready(let socket, _) = inlineSocket,
              settings.sendZeroCopyThreshold == 0 || count < settings.sendZeroCopyThreshold else { return false }
        let corked = socketCorked
        guard sendBytesInline(base, count, on: socket, flags: 0) else { return false }
        tailsSentInline += 1
        if corked { corkedTails += 1 }
        uncork()
        return true
    }

    /// A non-blocking send on the inline descriptor, accounted like a ring send; false
    /// when the socket took nothing (full), leaving the bytes to the ring.
    private func sendBytesInline(_ base: UnsafeRawPointer, _ count: Int, on socket: Int32, flags: Int32) -> Bool {
        let result = Glibc.send(socket, base, count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL) | flags)
        if result > 0 {
            sendCompleted(Int32(result), isFile: false)
            return true
        }
        let code = errno
        if result == 0 || code == EAGAIN || code == EINTR { return false }
        sendCompleted(-code, isFile: false)
        return true
    }

    /// Whether `source` goes inline, decided at its first step: at most
    /// `inlineFileSendLimit` bytes (a large body keeps the splice chain, whose io-wq
    /// workers take its copy off the shard thread) and every page cached.
    func decideInline(_ source: FileSource) -> Bool {
        if let decided = source.goesInline { return decided }
        let decided = source.unread <= settings.inlineFileSendLimit
            && PageCacheResidency.isResident(descriptor: source.descriptor, offset: source.nextOffset, count: source.unread)
        source.goesInline = decided
        return decided
    }

    /// Closes a descriptor installed for inline sends (the connection ended or moved).
    func releaseInlineSocket() {
        if case .ready(let socket, owned: true) = inlineSocket { Glibc.close(socket) }
        inlineSocket = .unavailable
        socketCorked = false
    }

    /// Makes the socket's descriptor ready: an ordinary one is set non-blocking at
    /// once; a fixed slot is installed as a descriptor by the ring, and the step
    /// resumes on its completion. False when inline sends are off.
    private func prepareInlineSocket(then source: FileSource) -> Bool {
        guard settings.inlineFileSendLimit > 0 else {
            inlineSocket = .unavailable
            return false
        }
        switch descriptor {
        case .ordinary(let socket):
            guard Self.makeNonBlocking(socket) else {
                inlineSocket = .unavailable
                return false
            }
            inlineSocket = .ready(socket, owned: false)
            sendFileStep(source)
            return true
        case .fixed(let slot):
            inlineSocket = .installing
            sendInFlight = true
            shard.submit({ sqe in
                io_uring_prep_rw(Int32(Self.fixedDescriptorInstallOpcode), sqe, Int32(bitPattern: slot), nil, 0, 0)
                sqe.pointee.flags |= mailshard_iosqe_fixed_file()
            }) { result, _ in
                self.inlineSocketInstalled(result)
                self.fileStepCompleted(0, source)
                return true
            }
            return true
        }
    }

    /// IORING_OP_FIXED_FD_INSTALL (Linux 6.8), newer than the liburing headers here:
    /// installs the fixed file named by the SQE into the process's table (O_CLOEXEC).
    private static let fixedDescriptorInstallOpcode: UInt8 = 54

    private func inlineSocketInstalled(_ result: Int32) {
        guard result >= 0 else {
            inlineSocket = .unavailable
            return
        }
        switch state {
        case .open, .closing:
            if Self.makeNonBlocking(result) {
                inlineSocket = .ready(result, owned: true)
                return
            }
        case .closed, .moved:
            break
        }
        Glibc.close(result)
        inlineSocket = .unavailable
    }

    private static func makeNonBlocking(_ socket: Int32) -> Bool {
        let flags = fcntl(socket, F_GETFL)
        return flags >= 0 && (flags & O_NONBLOCK != 0 || fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0)
    }

    /// sendfile(2) until the range is sent, the socket is full, or the step's bound is
    /// reached; the last two wait for POLLOUT on the ring before the next step.
    private func sendInline(_ source: FileSource, to socket: Int32) {
        // Whatever way this step ends (sent, EAGAIN, error), the socket is not left
        // corked: a cork left set would hold the segment for 200 ms.
        defer { uncork() }
        var sent = 0
        while source.unread > 0 && sent < Self.inlineStepLimit {
            var offset = off_t(source.nextOffset)
            var count = min(source.unread, Self.inlineStepLimit - sent)
            if !source.firstSegmentSent { count = min(count, Self.firstSegmentBytes(at: source.nextOffset)) }
            if count == source.unread && output.bytesFollowLeadingFile { cork(socket) }
            let result = sendfile(socket, source.descriptor, &offset, count)
            if result > 0 {
                source.nextOffset += UInt64(result)
                source.unread -= result
                sent += result
                source.firstSegmentSent = true
                continue
            }
            let code = result == 0 ? EIO : errno  // 0: the file is shorter than the range
            if code == EINTR { continue }
            if code == EAGAIN { break }
            if sent > 0 { account(sentFileBytes: sent) }
            sendCompleted(-code, isFile: true)
            return
        }
        guard source.unread == 0 else {
            source.awaitsWritable = true
            sendCompleted(Int32(sent), isFile: true)
            return
        }
        // Done: bytes queued right behind the range may follow it inline.
        inlineBurst = true
        sendCompleted(Int32(sent), isFile: true)
        inlineBurst = false
    }

    /// Most bytes the first sendfile of a range sends: up to the 15th page boundary
    /// after its first partial page, which with a response's head fills one loopback
    /// segment by its fragment count (17, MAX_SKB_FRAGS: the head's and 16 pages').
    ///
    /// sendfile moves a range through a pipe of 16 pages and sends all but its last
    /// pipeful with MSG_MORE. A body that does not start on a page (any body in a
    /// pack) fills its first segment by fragments before it reaches the MSS; held by
    /// MSG_MORE, that segment left only with the second, back to back, and a paced
    /// socket (BBR without fq paces inside TCP) put the second behind a timer, ~20 µs
    /// on this VM, once per FETCH. Ending the first call there pushes the first segment
    /// at once, as a page-aligned file's full segment is pushed, and the rest follows a
    /// copy's time later, unpaced (Benchmarks/results/load-bodies.md, 2026-11-27).
    /// Where the kernel's limits differ, the cut costs one sendfile call, nothing else.
    static func firstSegmentBytes(at offset: UInt64) -> Int {
        let page = UInt64(pageSize)
        return Int(page - offset % page) + 15 * pageSize
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Sets TCP_CORK before the sendfile that ends a range with bytes queued behind
    /// it (the response's close and tagged completion): the body's last segment waits
    /// for them, so the peer is woken once for the end of the response, not for the
    /// body and again for its tail. The tail's inline send (`sendTailInline`) uncorks,
    /// else the step's end does.
    private func cork(_ socket: Int32) {
        guard !socketCorked else { return }
        socketCorked = Self.setCork(socket, true)
    }

    /// Clears TCP_CORK when a step set it; the kernel sends the held segment now.
    func uncork() {
        guard socketCorked else { return }
        socketCorked = false
        if case .ready(let socket, _) = inlineSocket { _ = Self.setCork(socket, false) }
    }

    private static func setCork(_ socket: Int32, _ on: Bool) -> Bool {
        var value: Int32 = on ? 1 : 0
        return setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Counts bytes an inline step sent before it failed, as a send would have.
    private func account(sentFileBytes count: Int) {
        bytesSent += UInt64(count)
        output.consumeFile(count)
    }

    /// Waits on the ring until the socket takes bytes again, then takes the next step.
    private func awaitWritable(_ source: FileSource) {
        source.awaitsWritable = false
        writableWaits += 1
        let socket = descriptor
        sendInFlight = true
        shard.submit({ sqe in
            io_uring_prep_poll_add(sqe, socket.rawValue, UInt32(POLLOUT))
            socket.target(sqe)
        }) { result, _ in
            // POLLERR or POLLHUP: the next send reports the error.
            self.fileStepCompleted(result < 0 ? result : 0, source)
            return true
        }
    }
}
