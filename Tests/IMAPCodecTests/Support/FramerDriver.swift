@testable import IMAPCodec

/// A framing event with its bytes copied out, so runs over different splits compare.
enum RecordedEvent: Hashable, CustomStringConvertible {
    case command(String)
    case continuation
    case streamBegins(head: String, byteCount: Int, continuing: Bool, synchronizing: Bool = false)
    case streamBytes([UInt8])
    case streamEnds
    case streamTail(String)
    case error(FramingError)

    var description: String {
        switch self {
        case .command(let text): return "command(\(text.debugDescription))"
        case .continuation: return "continuation"
        case .streamBegins(let head, let count, let continuing, let synchronizing):
            return "streamBegins(\(head.debugDescription), \(count), \(continuing), sync: \(synchronizing))"
        case .streamBytes(let bytes): return "streamBytes(\(bytes.count) bytes)"
        case .streamEnds: return "streamEnds"
        case .streamTail(let text): return "streamTail(\(text.debugDescription))"
        case .error(let error): return "error(\(error.kind), tag: \(error.tag ?? "nil"), fatal: \(error.isFatal))"
        }
    }
}

/// Feeds `input` to a framer in pieces of the given sizes (the rest in one piece) and
/// records every event, merging adjacent streamed chunks. `byRange` reads the events
/// through `nextRangeEvent()` (bytes copied out with `withUnsafeBytes(in:)`) instead of
/// `nextEvent()`; both must record the same.
func frameEvents(
    _ input: [UInt8], pieces: [Int] = [], limits: FramingLimits = FramingLimits(), byRange: Bool = false
) -> [RecordedEvent] {
    var framer = CommandFramer(limits: limits)
    var events: [RecordedEvent] = []
    var offset = 0
    var pieceSizes = pieces[...]
    while true {
        let size = pieceSizes.popFirst() ?? (input.count - offset)
        let end = min(input.count, offset + max(0, size))
        framer.append(input[offset..<end])
        offset = end
        if byRange {
            while let event = framer.nextRangeEvent() {
                record(event, of: framer, into: &events)
            }
        } else {
            while let event = framer.nextEvent() {
                record(event, into: &events)
            }
        }
        if offset >= input.count { break }
    }
    return events
}

/// Feeds `input` one byte at a time.
func frameEventsBytewise(_ input: [UInt8], limits: FramingLimits = FramingLimits(), byRange: Bool = false) -> [RecordedEvent] {
    frameEvents(input, pieces: Array(repeating: 1, count: input.count), limits: limits, byRange: byRange)
}

/// Records a range event by converting it to the slice event it stands for, reading the
/// bytes through the unsafe accessor so that path is exercised too.
private func record(_ event: FramingRangeEvent, of framer: CommandFramer, into events: inout [RecordedEvent]) {
    func copy(_ range: Range<Int>) -> ArraySlice<UInt8> {
        let copied = framer.withUnsafeBytes(in: range) { Array($0)[...] }
        precondition(copied == framer.bytes(in: range), "the two byte accessors disagree")
        return copied
    }
    switch event {
    case .command(let range): record(.command(copy(range)), into: &events)
    case .continuationRequest: record(.continuationRequest, into: &events)
    case .streamedLiteralBegins(let head, let count, let continuing, let synchronizing):
        record(
            .streamedLiteralBegins(head: copy(head), byteCount: count, continuing: continuing, synchronizing: synchronizing),
            into: &events)
    case .streamedLiteralBytes(let range): record(.streamedLiteralBytes(copy(range)), into: &events)
    case .streamedLiteralEnds: record(.streamedLiteralEnds, into: &events)
    case .streamedCommandEnds(let range): record(.streamedCommandEnds(copy(range)), into: &events)
    case .error:
        guard let error = framer.lastError else { preconditionFailure("an error event without lastError") }
        record(.error(error), into: &events)
    }
}

private func record(_ event: FramingEvent, into events: inout [RecordedEvent]) {
    switch event {
    case .command(let bytes): events.append(.command(String(decoding: bytes, as: UTF8.self)))
    case .continuationRequest: events.append(.continuation)
    case .streamedLiteralBegins(let head, let count, let continuing, let synchronizing):
        events.append(.streamBegins(
            head: String(decoding: head, as: UTF8.self), byteCount: count, continuing: continuing, synchronizing: synchronizing))
    case .streamedLiteralBytes(let bytes):
        if case .streamBytes(let previous) = events.last {
            events[events.count - 1] = .streamBytes(previous + bytes)
        } else {
            events.append(.streamBytes(Array(bytes)))
        }
    case .streamedLiteralEnds: events.append(.streamEnds)
    case .streamedCommandEnds(let bytes): events.append(.streamTail(String(decoding: bytes, as: UTF8.self)))
    case .error(let error): events.append(.error(error))
    }
}

/// A small deterministic generator (SplitMix64) so random splits repeat run to run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    init(wire text: String) {
        self = Array(text.utf8)
    }
}
