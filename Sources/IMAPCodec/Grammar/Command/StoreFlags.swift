/// How a STORE changes flags.
///
///     store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
public struct StoreFlags: Hashable, Sendable {
    public enum Operation: Hashable, Sendable { case replace, add, remove }

    public var operation: Operation
    /// `.SILENT`: no untagged FETCH for the change.
    public var silent: Bool
    public var flags: [Flag]

    public init(operation: Operation, silent: Bool, flags: [Flag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}
