import CURing
#if canImport(Glibc)
import Glibc
#endif

// A whole response in one splice. When a response's head, its cached body and the
// bytes behind it (close and tagged completion) are all queued, they are assembled in
// the shard's pipe — head and the body's first partial page written (copied), the
// body's whole pages spliced from the file, the tail written — and leave in one
// splice(pipe → socket). Why one call: every call that puts a segment on a loopback
// socket wakes the reader, and a reader on the shard's CPU preempts the shard when
// that call returns (PREEMPT_NONE: at the return to user space); with head, body and
// tail in three or more calls the client woke, read part of the answer and slept
// again about once per FETCH. In one call it finds the whole answer.
//
// Why the first partial page is copied: a loopback segment holds 17 fragments. With
// the head in the first and the body's pages behind it unaligned, the first segment
// is full by fragments before bytes, TCP holds it back (more follows), and sends it
// with the second back to back; a paced socket (BBR without fq) then defers the
// second by a timer. With head and partial page in one fragment, the first segment
// fills by bytes and TCP pushes it at once, inside the call, and the rest follows
// the time of a copy later, unpaced.
//
// The pipe is empty between uses: what the socket does not take (full: EAGAIN) is
// drained from the pipe and stays accounted as unsent in the queue, and the response
// goes on by the step-by-step path (Connection+InlineFileOutput) from where the
// socket stopped. Responses the pipe cannot hold take that path from the start.

extension Connection {
    /// Capacity asked for the shard's assembly pipe: responses up to about this size go
    /// in one splice.
    static let assemblyPipeCapacity = 256 * 1024

    /// Sends the leading head (`head`: its unsent bytes), `source` behind it and the
    /// bytes queued behind that in one splice. True when dealt with (all or part sent,
    /// or the connection failed); false leaves the queue as it was, for the steps.
    func sendWholeResponseInline(_ head: UnsafeRawBufferPointer, before source: FileSource) -> Bool {
        guard !source.offeredWhole, case .ready(let socket, _) = inlineSocket, !source.awaitsWritable,
              source.inPipe == 0, source.staged == 0, source.unread > 0 else { return false }
        source.offeredWhole = true
        let tail = output.tailAfterLeadingBytesAndFile(limit: Self.tailItemLimit)
        let tailCount = tail.bytes
        guard tailCount > 0, decideInline(source), let pipe = assemblyPipe(head: head.count, source, tail: tailCount) else { return false }
        let bodyCount = source.unread
        let total = head.count + bodyCount + tailCount
        guard assemble(head, source, tailItems: tail.count, in: pipe) else {
            // A file shorter than its range, or a pipe that took less than it should:
            // the steps send (or report) it.
            drain(pipe)
            return false
        }
        let result = mailshard_splice(pipe.readEnd, nil, socket, total)
        let code = errno
        if result < total { drain(pipe) }
        if result <= 0 {
            if result == 0 || code == EAGAIN || code == EINTR { return false }
            sendCompleted(-code, isFile: false)
            return true
        }
        wholeResponsesSpliced += 1
        if result < total { wholeResponsesCut += 1 }
        account(sent: result, head: head.count, body: bodyCount, of: source)
        // Writers and flushers waiting on the queue, then whatever is queued next.
        sendCompleted(0, isFile: false)
        return true
    }

    /// The shard's pipe when it holds the response: its pipe buffers are the head with
    /// the copied partial page (a page or two), the body's pages and the tail's.
    private func assemblyPipe(head headCount: Int, _ source: FileSource, tail tailCount: Int) -> SplicePipe? {
        let page = Self.pageSize
        let copied = Self.copiedLead(of: source)
        let buffers = (headCount + copied + page - 1) / page + (source.unread - copied + page - 1) / page + 1
            + (tailCount + page - 1) / page
        if shard.assemblyPipe == nil && !shard.assemblyPipeFailed {
            if let pipe = try? SplicePipe(capacity: Self.assemblyPipeCapacity), pipe.capacity >= Self.assemblyPipeCapacity {
                shard.assemblyPipe = pipe
            } else {
                shard.assemblyPipeFailed = true
            }
        }
        guard let pipe = shard.assemblyPipe, buffers <= pipe.capacity / page else { return nil }
        return pipe
    }

    /// Bytes of the body before its first page boundary, copied with the head (0 when
    /// the body starts on a page).
    private static func copiedLead(of source: FileSource) -> Int {
        let misalignment = Int(source.nextOffset % UInt64(pageSize))
        return misalignment == 0 ? 0 : min(pageSize - misalignment, source.unread)
    }

    /// Most byte items behind the body that join the response in the pipe.
    private static let tailItemLimit = 8

    /// Writes head and the body's first partial page, splices the body's pages, writes
    /// the tail (the first `tailItems` byte items behind the body). False when any of
    /// it failed (the pipe is then drained by the caller). The iovecs live on the
    /// stack and point into the queue's arrays, which nothing changes meanwhile (this
    /// runs on the shard thread, within one step): no array is made per response.
    private func assemble(_ head: UnsafeRawBufferPointer, _ source: FileSource, tailItems: Int, in pipe: SplicePipe) -> Bool {
        let copied = Self.copiedLead(of: source)
        let wroteHead = withUnsafeTemporaryAllocation(byteCount: max(copied, 1), alignment: 16) { lead -> Bool in
            guard copied == 0 || pread(source.descriptor, lead.baseAddress, copied, off_t(source.nextOffset)) == copied else { return false }
            return withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { pieces in
                pieces[0] = iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count)
                pieces[1] = iovec(iov_base: lead.baseAddress, iov_len: copied)
                return Self.writeAll(pieces, to: pipe.writeEnd)
            }
        }
        guard wroteHead else { return false }
        var offset = Int64(source.nextOffset) + Int64(copied)
        var left = source.unread - copied
        while left > 0 {
            let moved = mailshard_splice(source.descriptor, &offset, pipe.writeEnd, left)
            if moved < 0 && errno == EINTR { continue }
            guard moved > 0 else { return false }
            left -= moved
        }
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: tailItems) { pieces in
            for index in 0..<tailItems {
                let item = output.tailItem(index)
                // The queue holds `item.array` until these bytes are accounted as sent.
                let base = item.array.withUnsafeBytes { $0.baseAddress! } + item.offset
                pieces[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: item.array.count - item.offset)
            }
            return Self.writeAll(pieces, to: pipe.writeEnd)
        }
    }

    /// writev until every piece is in the pipe (it has room: checked before). Advances
    /// the pieces it was given as they are written.
    private static func writeAll(_ pieces: UnsafeMutableBufferPointer<iovec>, to pipe: Int32) -> Bool {
        var index = 0
        while index < pieces.count {
            if pieces[index].iov_len == 0 {
                index += 1
                continue
            }
            let written = writev(pipe, pieces.baseAddress! + index, Int32(pieces.count - index))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            var left = written
            while left > 0 && index < pieces.count {
                let taken = min(left, pieces[index].iov_len)
                pieces[index].iov_base += taken
                pieces[index].iov_len -= taken
                left -= taken
                if pieces[index].iov_len == 0 { index += 1 }
            }
        }
        return true
    }

    /// Empties the pipe of what the socket did not take; a pipe that will not empty is
    /// dropped (the next use makes a new one).
    private func drain(_ pipe: SplicePipe) {
        var ok = true
        withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { scratch in
            while ok && pipe.bufferedBytes > 0 {
                let count = Glibc.read(pipe.readEnd, scratch.baseAddress, scratch.count)
                if count < 0 && errno == EINTR { continue }
                ok = count > 0
            }
        }
        if !ok { shard.assemblyPipe = nil }
    }

    /// Records `sent` bytes of head, body and tail as gone, in that order.
    private func account(sent: Int, head: Int, body: Int, of source: FileSource) {
        bytesSent += UInt64(sent)
        output.consumeBytes(min(sent, head))
        let bodySent = min(max(sent - head, 0), body)
        if bodySent > 0 {
            source.nextOffset += UInt64(bodySent)
            source.unread -= bodySent
            source.firstSegmentSent = true
            output.consumeFile(bodySent)
        }
        let tailSent = sent - head - bodySent
        if tailSent > 0 { output.consumeBytes(tailSent) }
    }
}
