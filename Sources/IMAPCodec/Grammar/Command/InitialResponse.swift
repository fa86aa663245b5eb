/// The initial response of AUTHENTICATE with SASL-IR (RFC 4959).
///
///     initial-resp = (base64 / "=")
public enum InitialResponse: Hashable, Sendable {
    /// `=`: an initial response of zero length.
    case empty
    /// The base64 text, undecoded; the SASL layer decodes it.
    case base64(String)
}
