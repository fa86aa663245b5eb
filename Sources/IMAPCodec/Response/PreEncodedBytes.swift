/// Bytes already in IMAP syntax, written verbatim: ENVELOPE and BODYSTRUCTURE come
/// rendered this way from the MIME module.
public struct PreEncodedBytes: Hashable, Sendable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}
