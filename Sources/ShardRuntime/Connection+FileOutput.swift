import CURing
#if canImport(Glibc)
import Glibc
#endif

// File ranges to the socket, one step at a time (shard thread). A step borrows a pipe
// from the shard's pool and moves a chunk file → pipe → socket by a linked splice
// pair; the pipe goes back to the pool as soon as the step leaves it empty, so pipes
// are held only by steps in flight (or by a peer slow to take what a pipe holds). A
// step that finds no pipe free reads a chunk into the range's stage buffer and sends
// it: slower by one copy, but nothing waits or fails for want of a pipe.

extension Connection {
    /// Starts the next step of `source`: send what the stage or the pipe still holds,
    /// else move the next chunk by splice (a pipe is free) or by read and send.
    func sendFileStep(_ source: FileSource) {
        if source.staged > source.stagedSent {
            sendStaged(source)
            return
        }
        if splicePipe == nil { splicePipe = shard.splicePipes.borrow() }
        guard let pipe = splicePipe else {
            readIntoStage(source)
            return
        }
        if source.inPipe > 0 {
            drainPipe(pipe, source)
        } else {
            spliceChunk(pipe, source)
        }
    }

    /// Gives up the borrowed pipe without returning it to the pool: the connection
    /// ended or failed, and the pipe may hold bytes of its range.
    func discardSplicePipe() {
        guard let pipe = splicePipe else { return }
        splicePipe = nil
        shard.splicePipes.discard(pipe)
    }

    /// Pushes bytes left in the pipe by an earlier step to the socket.
    private func drainPipe(_ pipe: SplicePipe, _ source: FileSource) {
        let socket = descriptor
        let count = UInt32(source.inPipe)
        sendInFlight = true
        shard.submit({ sqe in
            io_uring_prep_splice(sqe, pipe.readEnd, -1, socket.rawValue, -1, count, 0)
            socket.target(sqe)  // the fixed-file flag names splice's output
        }) { result, _ in
            _ = pipe  // open until the kernel is done with it
            if result > 0 { source.inPipe -= Int(result) }
            self.fileStepCompleted(result, source)
            return true
        }
    }

    /// A linked pair: the next chunk file → pipe, then pipe → socket.
    private func spliceChunk(_ pipe: SplicePipe, _ source: FileSource) {
        let socket = descriptor
        let count = min(source.unread, pipe.capacity)
        let step = SpliceStep()
        sendInFlight = true
        shard.ring.reserve(2)
        shard.submit({ sqe in
            io_uring_prep_splice(sqe, source.descriptor, Int64(source.nextOffset), pipe.writeEnd, -1, UInt32(count), 0)
            sqe.pointee.flags |= mailshard_iosqe_io_link()
        }) { result, _ in
            step.fileToPipe = result
            self.spliceChunkCompleted(step, source)
            return true
        }
        shard.submit({ sqe in
            io_uring_prep_splice(sqe, pipe.readEnd, -1, socket.rawValue, -1, UInt32(count), 0)
            socket.target(sqe)
        }) { result, _ in
            _ = pipe
            step.pipeToSocket = result
            self.spliceChunkCompleted(step, source)
            return true
        }
    }

    private func spliceChunkCompleted(_ step: SpliceStep, _ source: FileSource) {
        guard let read = step.fileToPipe, let sent = step.pipeToSocket else { return }
        if read <= 0 {
            fileStepCompleted(read == 0 ? -EIO : read, source)
            return
        }
        source.nextOffset += UInt64(read)
        source.unread -= Int(read)
        source.inPipe += Int(read)
        if sent > 0 {
            source.inPipe -= Int(sent)
            fileStepCompleted(sent, source)
        } else if sent == -ECANCELED || sent == -EAGAIN || sent == -EINTR {
            fileStepCompleted(0, source)  // the pipe keeps the bytes; the next step sends them
        } else {
            fileStepCompleted(sent, source)
        }
    }

    /// The copy path: reads the next chunk into the range's stage buffer.
    private func readIntoStage(_ source: FileSource) {
        let chunk = settings.spliceChunkSize
        let stage = source.stage ?? RawBox(count: chunk)
        source.stage = stage
        let count = min(source.unread, chunk)
        let offset = source.nextOffset
        sendInFlight = true
        shard.submit({ sqe in
            io_uring_prep_read(sqe, source.descriptor, stage.pointer, UInt32(count), offset)
        }) { result, _ in
            if result > 0 {
                source.nextOffset += UInt64(result)
                source.unread -= Int(result)
                source.staged = Int(result)
                source.stagedSent = 0
            }
            // Nothing reached the socket yet; the next step sends the stage.
            self.fileStepCompleted(result > 0 ? 0 : (result == 0 ? -EIO : result), source)
            return true
        }
    }

    /// The copy path: sends what the stage buffer still holds.
    private func sendStaged(_ source: FileSource) {
        guard let stage = source.stage else { return }
        let socket = descriptor
        let start = source.stagedSent
        let count = source.staged - start
        sendInFlight = true
        shard.submit({ sqe in
            io_uring_prep_send(sqe, socket.rawValue, stage.pointer + start, count, Int32(MSG_NOSIGNAL))
            socket.target(sqe)
        }) { result, _ in
            if result > 0 { source.stagedSent += Int(result) }
            self.fileStepCompleted(result, source)
            return true
        }
    }

    /// Ends a step: an empty pipe goes back to the pool at once (unless the step
    /// failed or the connection ended: then it is discarded with the connection),
    /// then the result is accounted like any send.
    private func fileStepCompleted(_ result: Int32, _ source: FileSource) {
        if let pipe = splicePipe, source.inPipe == 0, isOpenOrClosing,
           result >= 0 || result == -EAGAIN || result == -EINTR {
            splicePipe = nil
            shard.splicePipes.giveBack(pipe)
        }
        sendCompleted(result, isFile: true)
    }

    private var isOpenOrClosing: Bool {
        switch state {
        case .open, .closing: return true
        case .closed, .moved: return false
        }
    }
}

/// The two halves of a linked splice pair; the step is done when both reported.
final class SpliceStep {
    var fileToPipe: Int32?
    var pipeToSocket: Int32?
}

extension Shard {
    /// The counters of this shard's splice pipe pool (tests and statistics).
    func splicePipeCounts() async -> SplicePipePoolCounts {
        await withUnsafeContinuation { continuation in
            execute { continuation.resume(returning: self.splicePipes.snapshot) }
        }
    }
}
