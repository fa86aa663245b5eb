#if canImport(Glibc)
import Glibc
#endif
import IMAPCodec

/// The receiving side of `fetch-headers` without a `Response` per message: the answer
/// to `UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (…)])` is read in large chunks,
/// cut into whole responses (``ResponseExtent``), and each one that has exactly the
/// expected form (``HeaderFetchScanner``) goes straight to the workload's checks
/// (``HeaderFetchTally``). Any other response — the tagged completion, an untagged
/// update, an answer in another shape — is handed alone to the connection's
/// ``ResponseReader`` and checked as before, so every byte counted as throughput was
/// validated exactly as the generic path would have, and only the common case skips
/// the parser. A response larger than the buffer leaves the rest of the exchange to
/// the generic reader.
///
/// Invariants: `buffer` is allocated in `init` and freed in deinit. During ``run``,
/// `buffer[start..<filled]` holds received bytes not yet consumed, and `start` is at a
/// response boundary; nothing stays in the buffer between exchanges (the bytes after
/// the completion go to the reader). One thread uses a receiver.
public final class HeaderFetchReceiver {
    private let buffer: UnsafeMutableRawBufferPointer
    /// The checks of the last exchange; its verdict is `tally.finish(status:)`.
    private(set) var tally = HeaderFetchTally(exists: 0)
    /// Responses of the last exchange taken by the fast lane and handed to the reader.
    private(set) var recognized = 0
    private(set) var handedOver = 0

    /// `capacity` bytes are read at a time (and bound the response the fast lane takes).
    public init(capacity: Int = 256 * 1024) {
        buffer = .allocate(byteCount: max(capacity, 64), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Reads the answer to the header FETCH over `exists` messages whose completion
    /// `settle` recognizes, and returns that completion's status; the verdict is then
    /// ``tally``'s. `reader` must be at a response boundary. Each `receive` reads once
    /// into the buffer it is given and returns the byte count. `settle` applies the
    /// connection's rules to a generic response (BYE, tags, capabilities) and returns
    /// the status of the completion, nil for an untagged response.
    func run(
        exists: UInt32, reader: inout ResponseReader,
        receive: (UnsafeMutableRawBufferPointer) throws(LoadError) -> Int,
        settle: (Response) throws(LoadError) -> StatusResponse?
    ) throws(LoadError) -> StatusResponse {
        precondition(reader.isAtResponseBoundary, "the fast lane must start at a response boundary")
        // Worked on in locals (moved out and back, no copy): a class property costs an
        // exclusivity check per access, per message.
        var tally = HeaderFetchTally(exists: 0)
        swap(&tally, &self.tally)
        var recognized = 0
        var handedOver = 0
        defer {
            swap(&tally, &self.tally)
            self.recognized = recognized
            self.handedOver = handedOver
        }
        tally.reset(exists: exists)
        let maximumLiteral = buffer.count / 2
        var start = 0
        var filled = 0
        while true {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<filled])
            scanning: while true {
                switch ResponseExtent.find(in: bytes, from: start, maximumLiteral: maximumLiteral) {
                case .complete(let end):
                    if let answer = HeaderFetchScanner.recognize(bytes, from: start, to: end) {
                        tally.note(number: answer.number, hasUID: true, hasFlags: true, headerBytes: answer.headerBytes)
                        recognized += 1
                        start = end
                        continue scanning
                    }
                    handedOver += 1
                    try reader.take(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end
                    if let status = try settlePending(&reader, &tally, settle) {
                        try reader.take(UnsafeRawBufferPointer(rebasing: bytes[start...]))  // the next command's
                        return status
                    }
                    // The framer cut the response differently: it reads on from here.
                    guard reader.isAtResponseBoundary else {
                        try reader.take(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                        return try finishGenerically(&reader, &tally, receive, settle)
                    }
                case .incomplete:
                    break scanning
                case .oversized:
                    try reader.take(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                    return try finishGenerically(&reader, &tally, receive, settle)
                }
            }
            if start > 0 {
                // Only a partial response remains: move it to the front.
                if filled > start, let base = buffer.baseAddress { memmove(base, base + start, filled - start) }
                filled -= start
                start = 0
            }
            guard filled < buffer.count else {
                try reader.take(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
                return try finishGenerically(&reader, &tally, receive, settle)
            }
            filled += try receive(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        }
    }

    /// Settles every response the reader holds; the completion's status if among them
    /// (later responses stay in the reader).
    private func settlePending(
        _ reader: inout ResponseReader, _ tally: inout HeaderFetchTally, _ settle: (Response) throws(LoadError) -> StatusResponse?
    ) throws(LoadError) -> StatusResponse? {
        while let response = reader.next() {
            if let status = try settle(response) { return status }
            if case .untagged(let untagged) = response { tally.note(untagged) }
        }
        return nil
    }

    /// The rest of the exchange through the generic reader alone.
    private func finishGenerically(
        _ reader: inout ResponseReader, _ tally: inout HeaderFetchTally,
        _ receive: (UnsafeMutableRawBufferPointer) throws(LoadError) -> Int,
        _ settle: (Response) throws(LoadError) -> StatusResponse?
    ) throws(LoadError) -> StatusResponse {
        while true {
            if let status = try settlePending(&reader, &tally, settle) { return status }
            let count = try receive(buffer)
            try reader.take(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
