/// A failure of one operation, grouped in the report by ``kind``.
public struct LoadError: Error, CustomStringConvertible, Sendable {
    /// Short, stable category such as `connect`, `timeout`, `NO FETCH`, `invalid FETCH`.
    public var kind: String
    public var detail: String

    public init(_ kind: String, _ detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? kind : "\(kind): \(detail)" }

    /// Connection-level failures after which the connection cannot be used again.
    public var isFatalToConnection: Bool {
        ["connect", "closed", "timeout", "parse", "protocol", "BYE", "io", "tls"].contains(kind)
    }
}
