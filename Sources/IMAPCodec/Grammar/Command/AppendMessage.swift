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
