/// One field of an ID command (RFC 2971): `"name" "value"`; the value may be NIL.
public struct IDField: Hashable, Sendable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}
