import IMAPCodec

/// The message commands (APPEND, FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE,
/// UID EXPUNGE, IDLE) enter the session here, and nowhere else. Issue 7 replaces
/// this file with the real handlers; until then each is refused with `BAD`.
extension Session {
    func handleMessageCommand(_ tagged: TaggedCommand) async throws {
        send(.tagged(tag: tagged.tag, StatusResponse(.bad, "\(tagged.command.name) is not supported yet")))
    }

    /// An APPEND whose literal is too large to buffer arrives as a stream of framer
    /// events; it is dropped and answered with `BAD` when the command ends.
    func handleStreamedAppend(_ event: FramingEvent) async throws {
        switch event {
        case .streamedLiteralBegins(let head, _, let continuing):
            if !continuing { streamedAppendTag = Self.tag(of: head) }
        case .streamedCommandEnds:
            let tag = streamedAppendTag ?? "*"
            streamedAppendTag = nil
            if tag == "*" {
                send(.untagged(.condition(StatusResponse(.bad, "APPEND is not supported yet"))))
            } else {
                send(.tagged(tag: tag, StatusResponse(.bad, "APPEND is not supported yet")))
            }
        default:
            break
        }
    }

    private static func tag(of head: ArraySlice<UInt8>) -> String? {
        guard let space = head.firstIndex(of: 0x20), space > head.startIndex else { return nil }
        return String(decoding: head[..<space], as: UTF8.self)
    }
}
