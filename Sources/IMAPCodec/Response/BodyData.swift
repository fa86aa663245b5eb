/// The value of a body section in a FETCH response.
public enum BodyData: Hashable, Sendable {
    /// `NIL`: the section does not exist.
    case none
    /// Small data held in memory.
    case bytes([UInt8])
    /// Data sent by the I/O layer from elsewhere.
    case external(ExternalBytes)
}
