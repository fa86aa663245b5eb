import IMAPCodec

extension ServerSettings {
    /// The framer's limits (Dovecot-like defaults: 64 KiB lines).
    var framingLimits: FramingLimits { FramingLimits() }

    /// Whether plaintext LOGIN/AUTHENTICATE is allowed for a peer ("ip:port").
    func allowsPlaintextAuthentication(peer: String) -> Bool {
        if allowPlaintextAuthentication { return true }
        return loopbackIsPrivate && Self.isLoopback(peer: peer)
    }

    static func isLoopback(peer: String) -> Bool {
        peer.hasPrefix("127.") || peer.hasPrefix("[::1]") || peer.hasPrefix("[::ffff:127.")
    }
}
