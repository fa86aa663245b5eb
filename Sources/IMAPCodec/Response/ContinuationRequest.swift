/// The text after `+`.
///
///     continue-req = "+" SP (resp-text / base64) CRLF
public enum ContinuationRequest: Hashable, Sendable {
    case text(ResponseText)
    /// An AUTHENTICATE challenge, already base64 (may be empty).
    case base64(String)
}
