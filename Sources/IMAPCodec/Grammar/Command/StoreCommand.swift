/// STORE or UID STORE.
///
///     store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
public struct StoreCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    public var modifiers: [StoreModifier]
    public var flags: StoreFlags

    public init(byUID: Bool, set: SequenceSet, modifiers: [StoreModifier] = [], flags: StoreFlags) {
        self.byUID = byUID
        self.set = set
        self.modifiers = modifiers
        self.flags = flags
    }
}
