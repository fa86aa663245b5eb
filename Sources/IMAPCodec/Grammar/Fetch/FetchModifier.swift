/// A FETCH modifier (RFC 4466 `fetch-modifier`).
///
///     chgsince-fetch-mod  = "CHANGEDSINCE" SP mod-sequence-value
///     rexpunges-fetch-mod = "VANISHED"
public enum FetchModifier: Hashable, Sendable {
    case changedSince(UInt64)
    /// Only on UID FETCH with QRESYNC enabled.
    case vanished
    case other(ExtensionParameter)
}
