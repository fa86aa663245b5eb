/// The three namespace lists of a NAMESPACE response; nil stands for NIL.
///
///     namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
public struct NamespaceResponse: Hashable, Sendable {
    public var personal: [NamespaceDescription]?
    public var otherUsers: [NamespaceDescription]?
    public var shared: [NamespaceDescription]?

    public init(personal: [NamespaceDescription]?, otherUsers: [NamespaceDescription]?, shared: [NamespaceDescription]?) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}
