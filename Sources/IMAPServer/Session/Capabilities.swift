import IMAPCodec

/// The capabilities a session advertises: exactly what is implemented. Before
/// login they depend on whether plaintext authentication is allowed on the
/// connection; after login the AUTH= mechanisms are gone.
enum Capabilities {
    /// Implemented everywhere; APPENDLIMIT is the limit the server enforces.
    static func base(appendLimit: Int) -> [String] {
        [
            "IMAP4rev1", "IMAP4rev2", "ENABLE", "ID", "NAMESPACE", "UNSELECT", "LIST-EXTENDED", "LIST-STATUS",
            "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE",
            "IDLE", "UIDPLUS", "MOVE", "ESEARCH", "SEARCHRES", "BINARY", "MULTIAPPEND", "LITERAL+",
            "APPENDLIMIT=\(appendLimit)", "COMPRESS=DEFLATE", "CONDSTORE", "QRESYNC",
        ]
    }

    /// `startTLS`: a certificate is configured and the connection is not yet
    /// encrypted (never advertised again once TLS is on, RFC 9051 6.2.1).
    static func list(authenticated: Bool, plaintextAllowed: Bool, startTLS: Bool = false, appendLimit: Int) -> [String] {
        let base = base(appendLimit: appendLimit)
        if authenticated { return base }
        let tls = startTLS ? ["STARTTLS"] : []
        if plaintextAllowed { return base + tls + ["SASL-IR", "AUTH=PLAIN", "AUTH=LOGIN"] }
        return base + tls + ["LOGINDISABLED"]
    }
}
