import CURing
#if canImport(Glibc)
import Glibc
#endif

// File ranges to the socket, one step at a time (shard thread). A cached range on a
// socket with a process descriptor goes by sendfile inline (Connection+InlineFileOutput);
// otherwise a step borrows a pipe from the shard's pool and moves up to 8 pipe-fulls
// file → pipe → socket by one chain of linked splice pairs; the pipe goes back to the
// pool as soon as the step leaves it empty, so pipes are held only by steps in flight
// (or by a peer slow to take what a pipe holds). A step that finds no pipe free reads
// a chunk into the range's stage buffer and sends it: slower by one copy, but nothing
// waits or fails for want of a pipe.

extension Connection {
    /// Starts the next step of `source`: inline by sendfile when the range is cached
    /// (Connection+InlineFileOutput), else send what the stage or the pipe still
    /// holds, else move the next chunk by splice (a pipe is free) or by read and send.
    func sendFileStep(_ source: FileSource) {
        if sendFileStepInline(source) { return }
        if source.staged > source.stagedSent {
            sendStaged(source)
            return
        }
        if splicePipe == nil { splicePipe = shard.splicePipes.borrow(forBytes: source.unread) }
        guard let pipe = splicePipe else {
            readIntoStage(source)
            return
        }
        if source.inPipe > 0 {
            drainPipe(pipe, source)
        } else {
            spliceChunks(pipe, source)
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
            // A non-blocking socket (see InlineSocket) that is full: wait for POLLOUT.
            if result == -EAGAIN { source.awaitsWritable = true }
            self.fileStepCompleted(result, source)
            return true
        }
    }

    /// Linked splice pairs submitted at once: each moves one pipe-full file → pipe →
    /// socket. A chain runs in one io-wq worker without a trip back to the shard
    /// between pairs, so a 100 KiB body costs one step, not one per pipe-full; the
    /// bound keeps one connection from holding the worker (and the socket) for long.
    static let maxLinkedSplicePairs = 8

    /// Splices the next chunks as one chain of linked pairs (file → pipe, pipe →
    /// socket, file → pipe, …). A short or failed splice breaks the chain: the kernel
    /// cancels the rest, and what the pipe still holds goes out in the next step.
    ///
    /// Each chunk ends on a page boundary of the file (or at the range's end): a
    /// pipe holds a whole number of pages, and a chunk straddling one page more than
    /// that (a body at an odd offset in a pack) would come up short every time,
    /// breaking the chain and costing a step to drain the pipe.
    private func spliceChunks(_ pipe: SplicePipe, _ source: FileSource) {
        let socket = descriptor
        var chunks: [(offset: UInt64, count: Int)] = []
        var offset = source.nextOffset
        var left = source.unread
        while left > 0 && chunks.count < Self.maxLinkedSplicePairs {
            // The capacity is a whole number of pages, so the room is at least one byte.
            let count = min(left, pipe.capacity - Int(offset % UInt64(Self.pageSize)))
            chunks.append((offset, count))
            offset += UInt64(count)
            left -= count
        }
        let batch = SpliceBatch(counts: chunks.map(\.count))
        sendInFlight = true
        shard.ring.reserve(2 * chunks.count)
        for (index, chunk) in chunks.enumerated() {
            shard.submit({ sqe in
                io_uring_prep_splice(sqe, source.descriptor, Int64(chunk.offset), pipe.writeEnd, -1, UInt32(chunk.count), 0)
                sqe.pointee.flags |= mailshard_iosqe_io_link()
            }) { result, _ in
                batch.fileToPipe[index] = result
                self.spliceBatchReported(batch, source)
                return true
            }
            let isLast = index == chunks.count - 1
            shard.submit({ sqe in
                io_uring_prep_splice(sqe, pipe.readEnd, -1, socket.rawValue, -1, UInt32(chunk.count), 0)
                socket.target(sqe)
                if !isLast { sqe.pointee.flags |= mailshard_iosqe_io_link() }
            }) { result, _ in
                _ = pipe  // open until the kernel is done with it
                batch.pipeToSocket[index] = result
                self.spliceBatchReported(batch, source)
                return true
            }
        }
    }


    /// Counts one completion of `batch`; once all are in, accounts the pairs in order
    /// up to the first that did not move its whole chunk, and ends the step.
    private func spliceBatchReported(_ batch: SpliceBatch, _ source: FileSource) {
        batch.reported += 1
        guard batch.reported == 2 * batch.pairs else { return }
        var sent: Int32 = 0
        for index in 0..<batch.pairs {
            let read = batch.fileToPipe[index]
            if read <= 0 {
                // The first pair failing is an error (0: the file ended early); a later
                // one was cancelled because an earlier pair came up short.
                if index == 0 {
                    fileStepCompleted(read == 0 ? -EIO : read, source)
                    return
                }
                break
            }
            source.nextOffset += UInt64(read)
            source.unread -= Int(read)
            source.inPipe += Int(read)
            let out = batch.pipeToSocket[index]
            if out == -EAGAIN { source.awaitsWritable = true }
            if out > 0 {
                source.inPipe -= Int(out)
                sent += out
            } else if out != -ECANCELED && out != -EAGAIN && out != -EINTR {
                fileStepCompleted(out, source)
                return
            }
            // Anything short ends the chain; the pipe keeps the bytes for the next step.
            if Int(read) < batch.counts[index] || out < read { break }
        }
        fileStepCompleted(sent, source)
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
    func fileStepCompleted(_ result: Int32, _ source: FileSource) {
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

/// The results of one chain of linked splice pairs; the step is done when all
/// `2 * pairs` completions reported (cancelled ones report -ECANCELED).
final class SpliceBatch {
    /// Bytes each pair was asked to move.
    let counts: [Int]
    var fileToPipe: [Int32]
    var pipeToSocket: [Int32]
    var reported = 0
    var pairs: Int { counts.count }

    init(counts: [Int]) {
        self.counts = counts
        fileToPipe = Array(repeating: 0, count: counts.count)
        pipeToSocket = Array(repeating: 0, count: counts.count)
    }
}

extension Shard {
    /// The counters of this shard's splice pipe pool (tests and statistics).
    func splicePipeCounts() async -> SplicePipePoolCounts {
        await withUnsafeContinuation { continuation in
            execute { continuation.resume(returning: self.splicePipes.snapshot) }
        }
    }
}
