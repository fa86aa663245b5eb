import CURing
#if canImport(Glibc)
import Glibc
#endif

/// A system call or ring operation failed; `code` is the errno value.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
}

/// Why a connection operation could not proceed.
public enum ConnectionError: Error, Equatable {
    /// The connection was closed (by us, by the peer, or after an error).
    case closed
    /// The runtime is shutting down: pending and new reads end with this so the
    /// protocol can say goodbye; writes still go out until the grace period ends.
    case shuttingDown
    /// The peer did not read its queued output within the stalled-peer timeout.
    case peerStalled
    /// The connection was handed to another shard; use the object `move(to:)` returned.
    case moved
    /// A stream layer rejected the bytes it was given.
    case layerFailed(String)
}
