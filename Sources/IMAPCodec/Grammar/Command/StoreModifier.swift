/// A STORE modifier (RFC 4466 `store-modifier`).
///
///     store-modifier =/ "UNCHANGEDSINCE" SP mod-sequence-valzer
public enum StoreModifier: Hashable, Sendable {
    case unchangedSince(UInt64)
    case other(ExtensionParameter)
}
