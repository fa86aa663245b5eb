/// A transformation between the socket and the protocol: TLS and COMPRESS=DEFLATE
/// plug in here. Layers stack on a connection from the socket up; inbound bytes pass
/// through them bottom to top, outbound bytes top to bottom. A layer belongs to one
/// connection and is only ever called on that connection's shard thread, so it may
/// keep mutable state without locks (hence a class, and not `Sendable`).
public protocol StreamLayer: AnyObject {
    /// Bytes from below (the peer's side) to bytes for the layer above. A layer that
    /// must answer the peer itself (a TLS handshake record, say) appends the answer to
    /// `reply`; the connection sends it through the layers below this one. Returning
    /// no bytes is fine: the connection reads again.
    func decode(_ input: [UInt8], reply: inout [UInt8]) throws -> [UInt8]

    /// Bytes from above (the protocol) to bytes for the layer below.
    func encode(_ output: [UInt8]) throws -> [UInt8]

    /// Final bytes to send before the connection closes (TLS close_notify, the end
    /// of a DEFLATE stream); empty when there are none.
    func finish() throws -> [UInt8]

    /// True while the layer holds input it can decode without more from below (a
    /// decompressor that capped one `decode`'s output): the connection calls
    /// `decode` with no bytes before it reads the socket again.
    var holdsDecodedInput: Bool { get }
}

extension StreamLayer {
    public func finish() throws -> [UInt8] { [] }
    public var holdsDecodedInput: Bool { false }
}

/// Hands a connection's layers to another shard's thread when the connection moves.
/// Safe because the old connection never touches them again after the hand-off.
struct LayerStack: @unchecked Sendable {
    var layers: [any StreamLayer]
}
