/// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"`
public struct NamespaceDescription: Hashable, Sendable {
    public var prefix: String
    public var delimiter: Unicode.Scalar?

    public init(prefix: String, delimiter: Unicode.Scalar?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}
