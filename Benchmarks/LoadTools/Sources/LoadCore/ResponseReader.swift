import IMAPCodec

/// Server output turned into responses, the generic way: framed by IMAPCodec's
/// ``CommandFramer`` (server output frames like client input), parsed by
/// ``ResponseParser``, with literals above a threshold counted as they pass, never
/// copied (``StreamedLiterals``).
///
/// Every connection reads through one of these; the header-FETCH fast lane
/// (``HeaderFetchReceiver``) hands it whatever it does not recognize.
struct ResponseReader {
    private var framer: CommandFramer
    private var streamed = StreamedLiterals()
    /// Parsed responses not yet taken, oldest first from `nextIndex`.
    private var pending: [Response] = []
    private var nextIndex = 0

    init(streamLiteralsAbove: Int) {
        framer = CommandFramer(limits: FramingLimits(
            maximumLineLength: 1 << 20, maximumLiteralSize: 1 << 40,
            maximumBufferedLiteralSize: streamLiteralsAbove, maximumBufferedCommandSize: 16 << 20, usesSIMD: true))
    }

    /// Whether a parsed response waits to be taken.
    var hasPending: Bool { nextIndex < pending.count }

    /// Whether nothing is held: no parsed response waiting and no partial one, so the
    /// next received bytes start a response.
    var isAtResponseBoundary: Bool {
        !hasPending && framer.bufferedByteCount == 0 && !streamed.isActive
    }

    /// The oldest parsed response not yet taken.
    mutating func next() -> Response? {
        guard nextIndex < pending.count else { return nil }
        let response = pending[nextIndex]
        nextIndex += 1
        if nextIndex == pending.count {
            pending.removeAll(keepingCapacity: true)
            nextIndex = 0
        }
        return response
    }

    /// Every parsed response not yet taken.
    mutating func drain() -> [Response] {
        defer {
            pending.removeAll(keepingCapacity: true)
            nextIndex = 0
        }
        return Array(pending[nextIndex...])
    }

    /// Frames received bytes and parses every response they complete.
    mutating func take(_ bytes: UnsafeRawBufferPointer) throws(LoadError) {
        framer.append(bytes)
        while let event = framer.nextEvent() {
            switch event {
            case .command(let frame):
                try parse(frame)
            case .continuationRequest:
                continue  // a literal follows in server output; nothing to answer
            case .error(let error):
                throw LoadError("parse", "framing: \(error.reason)")
            case .streamedLiteralBegins(let head, let byteCount, let continuing, _):
                streamed.begin(head: head, byteCount: byteCount, continuing: continuing)
            case .streamedLiteralBytes, .streamedLiteralEnds:
                continue  // counted by the framer, which hands over exactly byteCount bytes
            case .streamedCommandEnds(let rest):
                let frame = streamed.end(rest: rest)
                try parse(frame[...], restoringStreamedSizes: true)
            }
        }
    }

    private mutating func parse(_ frame: ArraySlice<UInt8>, restoringStreamedSizes: Bool = false) throws(LoadError) {
        do {
            let response = try ResponseParser.parseResponse(frame)
            pending.append(restoringStreamedSizes ? StreamedLiterals.restoringSizes(response) : response)
        } catch {
            throw LoadError("parse", "\(error): \(String(decoding: frame.prefix(120), as: UTF8.self))")
        }
    }
}
