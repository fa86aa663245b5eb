/// The bounds the framer enforces on what a client may send, and how it treats
/// non-synchronizing literals. The server fills this from its configuration.
public struct FramingLimits: Hashable, Sendable {
    /// Which non-synchronizing literal extension the server advertises (RFC 7888).
    public enum NonSynchronizingLiterals: Hashable, Sendable {
        /// LITERAL+: `{n+}` of any size up to ``maximumLiteralSize``.
        case literalPlus
        /// LITERAL-: `{n+}` only up to 4096 bytes; larger ones are refused with TOOBIG.
        case literalMinus
    }

    /// Longest line (bytes between literals, CRLF included). Dovecot's default is 64 KiB.
    public var maximumLineLength: Int
    /// Largest literal accepted at all (APPENDLIMIT).
    public var maximumLiteralSize: Int
    /// Literals up to this size are kept in the frame; larger ones are streamed to the
    /// caller in chunks and never buffered whole.
    public var maximumBufferedLiteralSize: Int
    /// Most bytes one command may hold in memory: lines plus buffered literals.
    public var maximumBufferedCommandSize: Int
    public var nonSynchronizingLiterals: NonSynchronizingLiterals
    /// Use the SIMD line scan; false selects the scalar reference path (tests, benchmarks).
    public var usesSIMD: Bool

    public init(
        maximumLineLength: Int = 64 * 1024,
        maximumLiteralSize: Int = 64 * 1024 * 1024,
        maximumBufferedLiteralSize: Int = 64 * 1024,
        maximumBufferedCommandSize: Int = 1024 * 1024,
        nonSynchronizingLiterals: NonSynchronizingLiterals = .literalPlus,
        usesSIMD: Bool = true
    ) {
        self.maximumLineLength = maximumLineLength
        self.maximumLiteralSize = maximumLiteralSize
        self.maximumBufferedLiteralSize = maximumBufferedLiteralSize
        self.maximumBufferedCommandSize = maximumBufferedCommandSize
        self.nonSynchronizingLiterals = nonSynchronizingLiterals
        self.usesSIMD = usesSIMD
    }

    /// RFC 7888 section 5: the LITERAL- ceiling for non-synchronizing literals.
    public static let literalMinusCeiling = 4096
}
