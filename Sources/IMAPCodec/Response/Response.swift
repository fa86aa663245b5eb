/// Everything a server sends.
///
///     response = *(continue-req / response-data) response-done
public enum Response: Hashable, Sendable {
    /// `tag OK/NO/BAD text`: the end of a command.
    case tagged(tag: String, StatusResponse)
    /// `* ...`
    case untagged(UntaggedResponse)
    /// `+ ...`: go on sending (a literal, an AUTHENTICATE line, or IDLE's DONE).
    case continuation(ContinuationRequest)
}
