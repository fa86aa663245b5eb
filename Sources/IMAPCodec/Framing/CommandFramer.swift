/// Splits the bytes a client sends into commands, without parsing them.
///
/// Feed received bytes with ``append(_:)``, then call ``nextRangeEvent()`` (or
/// ``nextEvent()``) until it returns nil ("needs more bytes"). The framer finds line ends (SIMD scan) and literal headers
/// at line ends (`{n}`, `{n+}`, `~{n}`), skips literal bytes without scanning them, asks
/// for `+` continuations for synchronizing literals, streams literals larger than
/// ``FramingLimits/maximumBufferedLiteralSize``, and enforces the limits. Any split of
/// the same input yields the same events.
///
/// The framer knows nothing of command names or session state: a DONE after IDLE or a
/// line of an AUTHENTICATE exchange arrives as an ordinary `.command` frame.
public struct CommandFramer: Sendable {
    public let limits: FramingLimits

    @usableFromInline var storage: [UInt8] = []
    /// Bytes before this index are consumed and may be compacted away.
    private var readIndex = 0
    /// Start of the command, or of the segment after a streamed literal.
    private var commandStart = 0
    /// Start of the current line (after the last literal).
    private var lineStart = 0
    /// Where the line-feed scan resumes.
    private var scanIndex = 0
    private var state = State.line
    /// The current command already streamed a literal: its segments continue it.
    private var continuing = false
    /// The tag of a command whose first segment has been handed out.
    private var continuingTag: String?
    /// The size of the streamed literal last announced, to tell whether any of it was read.
    private var announcedLiteralSize = 0
    /// The error behind the last ``FramingRangeEvent/error`` (or ``FramingEvent/error(_:)``).
    public private(set) var lastError: FramingError?

    private enum State: Hashable {
        case line
        case bufferedLiteral(remaining: Int)
        case streamedLiteral(remaining: Int)
        case streamedLiteralEnd
        /// Dropping the rest of a failed command that the client keeps sending.
        case discardingLiteral(remaining: Int)
        case discardingLines
        /// Dropping a line longer than the limit up to its line feed; a literal header at
        /// its end is ignored (it could only be seen whole in some splits of the input).
        case skippingLongLine
        /// A fatal error was reported; nothing more is framed.
        case closed
    }

    public init(limits: FramingLimits = FramingLimits()) {
        self.limits = limits
        storage.reserveCapacity(4096)
    }

    /// Bytes held for a command not yet complete (for the server's memory accounting).
    public var bufferedByteCount: Int { storage.count - readIndex }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard state != .closed else { return }
        compactIfWorthwhile()
        storage.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        guard state != .closed else { return }
        compactIfWorthwhile()
        storage.append(contentsOf: bytes)
    }

    /// The next event the received bytes allow, or nil when more bytes are needed.
    ///
    /// Each event with bytes shares the framer's buffer (a retain per event). On a hot
    /// path prefer ``nextRangeEvent()``, which this wraps.
    public mutating func nextEvent() -> FramingEvent? {
        guard let event = frameNext() else { return nil }
        switch event {
        case .command(let range): return .command(storage[range])
        case .continuationRequest: return .continuationRequest
        case .streamedLiteralBegins(let head, let byteCount, let continuing, let synchronizing):
            return .streamedLiteralBegins(
                head: storage[head], byteCount: byteCount, continuing: continuing, synchronizing: synchronizing)
        case .streamedLiteralBytes(let range): return .streamedLiteralBytes(storage[range])
        case .streamedLiteralEnds: return .streamedLiteralEnds
        case .streamedCommandEnds(let range): return .streamedCommandEnds(storage[range])
        case .error: return lastError.map(FramingEvent.error)
        }
    }

    /// The next event the received bytes allow, or nil when more bytes are needed; its
    /// bytes are positions in the framer's buffer, valid until the next ``append(_:)``.
    ///
    /// The preferred form: no reference counting per command (see ``FramingRangeEvent``).
    public mutating func nextRangeEvent() -> FramingRangeEvent? {
        frameNext()
    }

    /// The body of both event functions, inlined into each so neither pays a call.
    @inline(__always)
    private mutating func frameNext() -> FramingRangeEvent? {
        while true {
            switch state {
            case .closed:
                return nil
            case .line, .discardingLines:
                guard let lineFeed = findLineFeed() else {
                    scanIndex = storage.count
                    guard storage.count - lineStart > limits.maximumLineLength else { return nil }
                    let error = state == .line ? FramingError(kind: .lineTooLong, tag: tag(), isFatal: false) : nil
                    consumeThrough(storage.count)
                    state = .skippingLongLine
                    if let error { return report(error) }
                    return nil
                }
                if let event = lineEnded(at: lineFeed) { return event }
            case .skippingLongLine:
                guard let lineFeed = findLineFeed() else {
                    consumeThrough(storage.count)
                    return nil
                }
                finishCommand(at: lineFeed + 1)
            case .bufferedLiteral(let remaining):
                guard storage.count - scanIndex >= remaining else { return nil }
                scanIndex += remaining
                lineStart = scanIndex
                state = .line
            case .discardingLiteral(let remaining):
                let available = min(storage.count - readIndex, remaining)
                consumeThrough(readIndex + available)
                guard available == remaining else {
                    state = .discardingLiteral(remaining: remaining - available)
                    return nil
                }
                state = .discardingLines
            case .streamedLiteral(let remaining):
                let available = min(storage.count - readIndex, remaining)
                guard available > 0 else { return nil }
                let chunk = readIndex..<(readIndex + available)
                consumeThrough(readIndex + available)
                state = available == remaining ? .streamedLiteralEnd : .streamedLiteral(remaining: remaining - available)
                return .streamedLiteralBytes(chunk)
            case .streamedLiteralEnd:
                state = .line
                continuing = true
                return .streamedLiteralEnds
            }
        }
    }

    /// Tells the framer the server answered the command instead of sending `+` for the
    /// synchronizing literal just announced by `.streamedLiteralBegins`: the client will
    /// not send it, so the next bytes start a new command.
    public mutating func refuseStreamedLiteral() {
        guard case .streamedLiteral(let remaining) = state, remaining == announcedLiteralSize else { return }
        finishCommand(at: readIndex)
    }

    // MARK: - Lines

    private func findLineFeed() -> Int? {
        storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return LineFeedScanner.firstLineFeed(base, from: scanIndex, count: buffer.count, simd: limits.usesSIMD)
        }
    }

    /// The literal header that ends the line ending at `lineFeed`, if any.
    private func literalHeader(endingAt lineFeed: Int) -> LiteralHeader? {
        storage.withUnsafeBufferPointer { buffer in
            LiteralHeader(endingAt: lineFeed, lineStart: lineStart, in: buffer)
        }
    }

    /// Handles a line that ends at `lineFeed`; returns an event, or nil to keep framing.
    @inline(__always)
    private mutating func lineEnded(at lineFeed: Int) -> FramingRangeEvent? {
        let lineEnd = lineFeed + 1
        // The common case first: a whole command on one line, within the limits, that
        // does not end in a literal header (it does not end in "}").
        if case .line = state, !continuing, lineEnd - commandStart <= limits.maximumBufferedCommandSize,
            lineEnd - lineStart <= limits.maximumLineLength, !mayEndInLiteralHeader(lineFeed: lineFeed)
        {
            let frame = commandStart..<lineEnd
            consumeThrough(lineEnd)
            return .command(frame)
        }
        return lineEndedSlowly(at: lineFeed)
    }

    /// False when the line ending at `lineFeed` cannot end in a literal header: the byte
    /// before its CRLF (or bare LF) is not "}". One or two byte reads.
    @inline(__always)
    private func mayEndInLiteralHeader(lineFeed: Int) -> Bool {
        storage.withUnsafeBufferPointer { buffer in
            var index = lineFeed - 1
            if index >= lineStart, buffer[index] == 0x0D { index -= 1 }
            return index >= lineStart && buffer[index] == UInt8(ascii: "}")
        }
    }

    /// Every line end but the common one: limits, discarding, literal headers,
    /// continuations after a streamed literal.
    private mutating func lineEndedSlowly(at lineFeed: Int) -> FramingRangeEvent? {
        let lineEnd = lineFeed + 1
        if lineEnd - lineStart > limits.maximumLineLength {
            // As if the line had been found too long before its end arrived: dropped up to
            // here with any literal header ignored, so every split of the input agrees.
            let error = state == .line ? FramingError(kind: .lineTooLong, tag: tag(), isFatal: false) : nil
            finishCommand(at: lineEnd)
            guard let error else { return nil }
            return report(error)
        }
        if state == .discardingLines {
            return discardedLineEnded(at: lineEnd)
        }
        if lineEnd - commandStart > limits.maximumBufferedCommandSize {
            let error = FramingError(kind: .commandTooLarge, tag: tag(), isFatal: false)
            state = .discardingLines
            return discardedLineEnded(at: lineEnd) ?? report(error)
        }
        guard let header = literalHeader(endingAt: lineFeed) else {
            let frame = commandStart..<lineEnd
            let event: FramingRangeEvent = continuing ? .streamedCommandEnds(frame) : .command(frame)
            finishCommand(at: lineEnd)
            return event
        }
        guard let size = header.size, size <= limits.maximumLiteralSize else {
            return refuseLiteral(header, kind: header.size == nil ? .malformedLiteral : .literalTooLarge, lineEnd: lineEnd)
        }
        if header.isNonSynchronizing, limits.nonSynchronizingLiterals == .literalMinus,
            size > FramingLimits.literalMinusCeiling
        {
            return refuseLiteral(header, kind: .nonSynchronizingLiteralTooLarge, lineEnd: lineEnd)
        }
        let streams = size > 0
            && (size > limits.maximumBufferedLiteralSize || lineEnd + size - commandStart > limits.maximumBufferedCommandSize)
        if streams {
            let head = commandStart..<lineEnd
            if !continuing { continuingTag = tag() }
            let event = FramingRangeEvent.streamedLiteralBegins(
                head: head, byteCount: size, continuing: continuing, synchronizing: !header.isNonSynchronizing)
            consumeThrough(lineEnd)
            state = .streamedLiteral(remaining: size)
            announcedLiteralSize = size
            return event
        }
        scanIndex = lineEnd
        state = .bufferedLiteral(remaining: size)
        return header.isNonSynchronizing ? nil : .continuationRequest
    }

    /// A line of a command being dropped: skip its literals; the command ends at a line
    /// without a literal, or at a synchronizing literal the client now waits on in vain.
    private mutating func discardedLineEnded(at lineEnd: Int) -> FramingRangeEvent? {
        let header = literalHeader(endingAt: lineEnd - 1)
        if let header, header.isNonSynchronizing {
            guard let size = header.size, size <= limits.maximumLiteralSize else { return closeWithError(.literalTooLarge) }
            consumeThrough(lineEnd)
            state = .discardingLiteral(remaining: size)
            return nil
        }
        finishCommand(at: lineEnd)
        return nil
    }

    /// A literal the server will not take. A synchronizing one ends the command (the
    /// client waits for a `+` that never comes); a non-synchronizing one is on its way,
    /// so its bytes and the rest of the command are dropped, or, when it is beyond the
    /// literal limit, the connection must close.
    private mutating func refuseLiteral(_ header: LiteralHeader, kind: FramingError.Kind, lineEnd: Int) -> FramingRangeEvent {
        guard header.isNonSynchronizing else { return failLine(kind, resumeAt: lineEnd) }
        guard let size = header.size, size <= limits.maximumLiteralSize else { return closeWithError(kind) }
        let error = FramingError(kind: kind, tag: tag(), isFatal: false)
        consumeThrough(lineEnd)
        state = .discardingLiteral(remaining: size)
        return report(error)
    }

    /// Reports a non-fatal error for the current command; framing goes on at `resumeAt`.
    private mutating func failLine(_ kind: FramingError.Kind, resumeAt: Int) -> FramingRangeEvent {
        let error = FramingError(kind: kind, tag: tag(), isFatal: false)
        finishCommand(at: resumeAt)
        return report(error)
    }

    private mutating func closeWithError(_ kind: FramingError.Kind) -> FramingRangeEvent {
        let error = FramingError(kind: kind, tag: tag(), isFatal: true)
        state = .closed
        storage.removeAll()
        readIndex = 0
        commandStart = 0
        lineStart = 0
        scanIndex = 0
        return report(error)
    }

    /// Keeps `error` for ``lastError`` and returns the event that announces it.
    private mutating func report(_ error: FramingError) -> FramingRangeEvent {
        lastError = error
        return .error
    }

    private mutating func finishCommand(at end: Int) {
        consumeThrough(end)
        if continuing {
            // Only now: storing nil into the tag on every command costs a release each time.
            continuing = false
            continuingTag = nil
        }
        state = .line
    }

    /// Marks bytes up to `end` consumed; the next command or segment starts there.
    private mutating func consumeThrough(_ end: Int) {
        readIndex = end
        commandStart = end
        lineStart = end
        scanIndex = end
    }

    // MARK: - Buffer

    /// Runs `body` over the bytes of a range from the last ``nextRangeEvent()``.
    /// The pointer is valid only inside `body`.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.count, "range from an earlier buffer")
        return try storage.withUnsafeBufferPointer { (buffer) throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[range])))
        }
    }

    /// The bytes of a range from the last ``nextRangeEvent()``, sharing the buffer
    /// (drop them before the next ``append(_:)`` to avoid a copy of the buffer).
    public func bytes(in range: Range<Int>) -> ArraySlice<UInt8> {
        storage[range]
    }

    /// Gives the buffer's memory back when no byte is held (a session about to wait
    /// long, as in IDLE), so an idle connection keeps no framer buffer; the next
    /// `append` allocates again. Does nothing while part of a command is buffered.
    public mutating func releaseBufferIfEmpty() {
        guard readIndex == storage.count else { return }
        compactIfWorthwhile()
        storage = []
    }

    /// Hands over the bytes received after the last complete command and empties the
    /// buffer: a session that stops framing (IDLE, whose ending line is not a command)
    /// reads them itself, so a client that pipelines `DONE` behind `IDLE` is answered
    /// at once. Only between commands; mid-command it returns nothing and keeps them.
    public mutating func takeBufferedInput() -> [UInt8] {
        guard state == .line, commandStart == readIndex, lineStart == readIndex else { return [] }
        let rest = Array(storage[readIndex...])
        storage = []
        readIndex = 0
        commandStart = 0
        lineStart = 0
        scanIndex = 0
        return rest
    }

    private mutating func compactIfWorthwhile() {
        guard readIndex > 0, readIndex == storage.count || readIndex >= 4096 else { return }
        storage.removeSubrange(0..<readIndex)
        commandStart -= readIndex
        lineStart -= readIndex
        scanIndex -= readIndex
        readIndex = 0
    }

    /// The tag of the current command, if its first line starts with a valid one.
    private func tag() -> String? {
        if continuing { return continuingTag }
        // Look no further than a line may be long, so a tag is found (or not) the same way
        // whether a too-long line is judged before or after its end arrives.
        let limit = min(64, limits.maximumLineLength)
        var end = commandStart
        while end < storage.count, end - commandStart < limit, ByteClass.isTagChar(storage[end]) { end += 1 }
        guard end > commandStart, end < storage.count, storage[end] == 0x20 else { return nil }
        return String(decoding: storage[commandStart..<end], as: UTF8.self)
    }
}
