import IMAPCodec
@testable import LoadCore

/// Turns a server transcript (lines joined with CRLF) into the exchange a command
/// would have collected: untagged responses, then the tagged completion.
func exchange(_ lines: [String]) throws -> Exchange {
    var framer = CommandFramer()
    framer.append(Array(lines.joined(separator: "\r\n").appending("\r\n").utf8))
    var untagged: [UntaggedResponse] = []
    while let event = framer.nextEvent() {
        guard case .command(let frame) = event else { continue }
        switch try ResponseParser.parseResponse(frame) {
        case .untagged(let response): untagged.append(response)
        case .tagged(_, let status): return Exchange(untagged: untagged, status: status)
        case .continuation: continue
        }
    }
    throw LoadError("test", "transcript without a tagged completion")
}

/// The error kind a throwing validation raised, or nil when it passed.
func failureKind(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as LoadError {
        return error.kind
    } catch {
        return "unexpected \(error)"
    }
}
