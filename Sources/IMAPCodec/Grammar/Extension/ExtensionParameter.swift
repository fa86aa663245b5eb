/// A named parameter of the RFC 4466 extension points (SELECT, CREATE, RENAME, FETCH and
/// STORE modifiers, SEARCH return options, LIST options) that the codec does not model.
public struct ExtensionParameter: Hashable, Sendable {
    /// The label, as written (`X-FOO`).
    public var name: String
    public var value: ExtensionValue?

    public init(name: String, value: ExtensionValue? = nil) {
        self.name = name
        self.value = value
    }
}
