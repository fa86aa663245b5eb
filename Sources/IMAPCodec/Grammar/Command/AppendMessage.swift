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

/// One message of an APPEND whose data arrived inside the command frame.
///
///     append-message = append-opts SP append-data
///     append-data    = literal / literal8
public struct AppendMessage: Hashable, Sendable {
    public var options: AppendOptions
    public var data: [UInt8]
    /// Sent as `~{n}` (BINARY, RFC 3516): may contain NUL.
    public var isBinary: Bool

    public init(options: AppendOptions, data: [UInt8], isBinary: Bool = false) {
        self.options = options
        self.data = data
        self.isBinary = isBinary
    }
}
