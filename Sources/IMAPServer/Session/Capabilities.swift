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
            "APPENDLIMIT=\(appendLimit)", "COMPRESS=DEFLATE",
        ]
    }

    static func list(authenticated: Bool, plaintextAllowed: Bool, appendLimit: Int) -> [String] {
        let base = base(appendLimit: appendLimit)
        if authenticated { return base }
        if plaintextAllowed { return base + ["SASL-IR", "AUTH=PLAIN", "AUTH=LOGIN"] }
        return base + ["LOGINDISABLED"]
    }
}
