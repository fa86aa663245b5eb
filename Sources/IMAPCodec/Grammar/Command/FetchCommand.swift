/// FETCH or UID FETCH.
///
///     fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///             "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
public struct FetchCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    /// The items, with ALL / FAST / FULL expanded.
    public var attributes: [FetchAttribute]
    public var modifiers: [FetchModifier]

    public init(byUID: Bool, set: SequenceSet, attributes: [FetchAttribute], modifiers: [FetchModifier] = []) {
        self.byUID = byUID
        self.set = set
        self.attributes = attributes
        self.modifiers = modifiers
    }
}
