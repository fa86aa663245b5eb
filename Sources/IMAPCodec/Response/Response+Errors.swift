/// The answers RFC 9051 section 7.1 prescribes for input the codec refused, in one place.
extension FramingError {
    /// `* BYE [TOOBIG] reason` when fatal (then close); `tag NO [TOOBIG] reason` for a
    /// synchronizing literal over the limit (refused before the client sent it: the
    /// command is well formed, the server declines it, as RFC 7889 and RFC 4469 section 4
    /// answer an APPEND too big); otherwise `tag BAD [code] reason`, or `* BAD reason`
    /// when no tag could be read.
    public var response: Response {
        let text = ResponseText(code: responseCode.map { _ in .tooBig }, text: reason)
        if isFatal { return .untagged(.condition(StatusResponse(.bye, text))) }
        guard let tag else { return .untagged(.condition(StatusResponse(.bad, text))) }
        // A non-fatal literalTooLarge is always a synchronizing one: an oversized
        // non-synchronizing literal is already on its way and ends the connection.
        let status: StatusResponse.Kind = kind == .literalTooLarge ? .no : .bad
        return .tagged(tag: tag, StatusResponse(status, text))
    }
}

extension CommandParseError {
    /// `tag BAD reason`, or `* BAD reason` when no tag could be read.
    public var response: Response {
        let status = StatusResponse(.bad, reason)
        guard let tag else { return .untagged(.condition(status)) }
        return .tagged(tag: tag, status)
    }
}

extension TaggedCommand {
    /// `tag BAD Unknown command NAME` for ``Command/unknown(name:)``; nil for known commands.
    public var unknownCommandResponse: Response? {
        guard case .unknown(let name) = command else { return nil }
        return .tagged(tag: tag, StatusResponse(.bad, "Unknown command \(name.prefix(64))"))
    }
}
