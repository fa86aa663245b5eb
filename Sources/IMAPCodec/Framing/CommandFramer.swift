/// Splits the bytes a client sends into commands, without parsing them.
///
/// Feed received bytes with ``append(_:)``, then call ``nextEvent()`` until it returns
/// nil ("needs more bytes"). The framer finds line ends (SIMD scan) and literal headers
/// at line ends (`{n}`, `{n+}`, `~{n}`), skips literal bytes without scanning them, asks
/// for `+` continuations for synchronizing literals, streams literals larger than
/// ``FramingLimits/maximumBufferedLiteralSize``, and enforces the limits. Any split of
/// the same input yields the same events.
///
/// The framer knows nothing of command names or session state: a DONE after IDLE or a
/// line of an AUTHENTICATE exchange arrives as an ordinary `.command` frame.
public struct CommandFramer: Sendable {
    public let limits: FramingLimits

    private var storage: [UInt8] = []
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
    public mutating func nextEvent() -> FramingEvent? {
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
                    if let error { return .error(error) }
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
                let chunk = storage[readIndex..<(readIndex + available)]
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
    private mutating func lineEnded(at lineFeed: Int) -> FramingEvent? {
        let lineEnd = lineFeed + 1
        if lineEnd - lineStart > limits.maximumLineLength {
            // As if the line had been found too long before its end arrived: dropped up to
            // here with any literal header ignored, so every split of the input agrees.
            let error = state == .line ? FramingError(kind: .lineTooLong, tag: tag(), isFatal: false) : nil
            finishCommand(at: lineEnd)
            return error.map(FramingEvent.error)
        }
        if state == .discardingLines {
            return discardedLineEnded(at: lineEnd)
        }
        if lineEnd - commandStart > limits.maximumBufferedCommandSize {
            let error = FramingError(kind: .commandTooLarge, tag: tag(), isFatal: false)
            state = .discardingLines
            return discardedLineEnded(at: lineEnd) ?? .error(error)
        }
        guard let header = literalHeader(endingAt: lineFeed) else {
            let frame = storage[commandStart..<lineEnd]
            let event: FramingEvent = continuing ? .streamedCommandEnds(frame) : .command(frame)
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
            let head = storage[commandStart..<lineEnd]
            if !continuing { continuingTag = tag() }
            let event = FramingEvent.streamedLiteralBegins(
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
    private mutating func discardedLineEnded(at lineEnd: Int) -> FramingEvent? {
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
    private mutating func refuseLiteral(_ header: LiteralHeader, kind: FramingError.Kind, lineEnd: Int) -> FramingEvent {
        guard header.isNonSynchronizing else { return failLine(kind, resumeAt: lineEnd) }
        guard let size = header.size, size <= limits.maximumLiteralSize else { return closeWithError(kind) }
        let error = FramingError(kind: kind, tag: tag(), isFatal: false)
        consumeThrough(lineEnd)
        state = .discardingLiteral(remaining: size)
        return .error(error)
    }

    /// Reports a non-fatal error for the current command; framing goes on at `resumeAt`.
    private mutating func failLine(_ kind: FramingError.Kind, resumeAt: Int) -> FramingEvent {
        let error = FramingError(kind: kind, tag: tag(), isFatal: false)
        finishCommand(at: resumeAt)
        return .error(error)
    }

    private mutating func closeWithError(_ kind: FramingError.Kind) -> FramingEvent {
        let error = FramingError(kind: kind, tag: tag(), isFatal: true)
        state = .closed
        storage.removeAll()
        readIndex = 0
        commandStart = 0
        lineStart = 0
        scanIndex = 0
        return .error(error)
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
