/// The metadata before one message of an APPEND (MULTIAPPEND allows several).
///
///     append-opts = [SP flag-list] [SP date-time] *(SP append-ext)
public struct AppendOptions: Hashable, Sendable {
    public var flags: [Flag]
    public var internalDate: IMAPDateTime?
    public var extensions: [ExtensionParameter]

    public init(flags: [Flag] = [], internalDate: IMAPDateTime? = nil, extensions: [ExtensionParameter] = []) {
        self.flags = flags
        self.internalDate = internalDate
        self.extensions = extensions
    }
}
