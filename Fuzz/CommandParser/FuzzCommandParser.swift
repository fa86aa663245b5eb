// libFuzzer entry for the command side of IMAPCodec, compiled together with the module's
// sources by build.sh (so internal API is visible). Oracles beyond "no crash":
// - framing is independent of how the input is split, and of the event form (the
//   split run reads range events, the whole run slice events),
// - the raw-bytes parse entry point agrees with the slice one,
// - a parsed command encodes and parses back to itself,
// - modified UTF-7 that decodes re-encodes to something that decodes the same.
// Every frame is also fed to the client-side ResponseParser (no crash, nothing more).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommandParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    // The control byte picks the limits and the split, so small inputs reach every limit.
    let limits = FramingLimits(
        maximumLineLength: control & 1 == 0 ? 64 * 1024 : 48,
        maximumLiteralSize: control & 2 == 0 ? 1 << 20 : 300,
        maximumBufferedLiteralSize: control & 4 == 0 ? 64 * 1024 : 16,
        maximumBufferedCommandSize: control & 1 == 0 ? 1 << 20 : 200,
        nonSynchronizingLiterals: control & 8 == 0 ? .literalPlus : .literalMinus,
        usesSIMD: control & 16 == 0)
    let whole = frame(bytes, limits: limits, pieceSize: bytes.count)
    let split = frame(bytes, limits: limits, pieceSize: Int(control >> 5) + 1, byRange: true)
    precondition(whole == split, "framing depends on the split")

    for event in whole {
        switch event {
        case .command(let frame):
            let parsed = Result { () throws(CommandParseError) in try CommandParser.parseCommand(frame[...]) }
            let parsedRaw = frame.withUnsafeBytes { bytes in
                Result { () throws(CommandParseError) in try CommandParser.parseCommand(bytes) }
            }
            precondition(parsed == parsedRaw, "raw-bytes parse differs from slice parse")
            if case .success(let command) = parsed {
                checkRoundTrip(command)
            }
            _ = CommandParser.isIdleDone(frame[...])
            _ = try? ResponseParser.parseResponse(frame[...])
            _ = try? CommandParser.parseAuthenticationLine(frame[...])
        case .head(let head, let continuing):
            _ = try? AppendStreamParser.parseHead(head[...], continuing: continuing)
        case .tail(let tail):
            _ = try? AppendStreamParser.parseTail(tail[...])
        default:
            break
        }
    }
    if let text = String(validating: bytes, as: UTF8.self), let decoded = ModifiedUTF7.decode(text) {
        precondition(ModifiedUTF7.decode(ModifiedUTF7.encode(decoded)) == decoded, "modified UTF-7 round trip")
    }
    return 0
}

enum FuzzEvent: Equatable {
    case command([UInt8])
    case continuation
    case head([UInt8], Bool)
    case bytes([UInt8])
    case end
    case tail([UInt8])
    case error(FramingError)
}

func frame(_ bytes: [UInt8], limits: FramingLimits, pieceSize: Int, byRange: Bool = false) -> [FuzzEvent] {
    var framer = CommandFramer(limits: limits)
    var events: [FuzzEvent] = []
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + max(1, pieceSize))
        framer.append(bytes[offset..<end])
        offset = end
        if byRange {
            while let event = framer.nextRangeEvent() {
                record(event, of: framer, into: &events)
            }
            continue
        }
        while let event = framer.nextEvent() {
            switch event {
            case .command(let frame): events.append(.command(Array(frame)))
            case .continuationRequest: events.append(.continuation)
            case .streamedLiteralBegins(let head, _, let continuing, let synchronizing):
                events.append(.head(Array(head), continuing))
                if synchronizing { events.append(.continuation) }
            case .streamedLiteralBytes(let chunk):
                if case .bytes(let previous)? = events.last {
                    events[events.count - 1] = .bytes(previous + chunk)
                } else {
                    events.append(.bytes(Array(chunk)))
                }
            case .streamedLiteralEnds: events.append(.end)
            case .streamedCommandEnds(let tail): events.append(.tail(Array(tail)))
            case .error(let error): events.append(.error(error))
            }
        }
    } while offset < bytes.count
    return events
}

/// Records a range event as `frame` records the slice event it stands for.
func record(_ event: FramingRangeEvent, of framer: CommandFramer, into events: inout [FuzzEvent]) {
    func copy(_ range: Range<Int>) -> [UInt8] { framer.withUnsafeBytes(in: range) { Array($0) } }
    switch event {
    case .command(let range): events.append(.command(copy(range)))
    case .continuationRequest: events.append(.continuation)
    case .streamedLiteralBegins(let head, _, let continuing, let synchronizing):
        events.append(.head(copy(head), continuing))
        if synchronizing { events.append(.continuation) }
    case .streamedLiteralBytes(let range):
        if case .bytes(let previous)? = events.last {
            events[events.count - 1] = .bytes(previous + copy(range))
        } else {
            events.append(.bytes(copy(range)))
        }
    case .streamedLiteralEnds: events.append(.end)
    case .streamedCommandEnds(let range): events.append(.tail(copy(range)))
    case .error:
        guard let error = framer.lastError else { preconditionFailure("error event without lastError") }
        events.append(.error(error))
    }
}

func checkRoundTrip(_ command: TaggedCommand) {
    for mode in [CommandEncoder.LiteralMode.nonSynchronizing, .synchronizing] {
        let encoded = CommandEncoder(literalMode: mode).encode(command)
        do {
            let reparsed = try CommandParser.parseCommand(encoded.bytes[...])
            precondition(reparsed == command, "round trip changed \(command) into \(reparsed)")
        } catch {
            preconditionFailure("encoded command does not parse: \(command) → \(String(decoding: encoded.bytes, as: UTF8.self).debugDescription): \(error.reason)")
        }
    }
}
