import IMAPCodec

/// CAPABILITY, NOOP, LOGOUT, ID (RFC 2971), ENABLE (RFC 5161) and NAMESPACE (RFC 2342).
extension Session {
    func handleCapability(tag: String) {
        send(.untagged(.capability(capabilities)))
        complete(tag, "CAPABILITY completed")
    }

    func handleNoop(tag: String) {
        complete(tag, "NOOP completed")
    }

    func handleLogout(tag: String) {
        send(.untagged(.condition(StatusResponse(.bye, "Logging out"))))
        complete(tag, "LOGOUT completed")
        leaveShard()  // the machine forgets the user now
        machine.loggedOut()
        exit = .closed
    }

    /// Answers with the server's identity; the client's fields go to the debug log.
    func handleID(tag: String, fields: [IDField]?) {
        if let fields, !fields.isEmpty {
            let described = fields.prefix(8).map { "\($0.key.prefix(32))=\(($0.value ?? "NIL").prefix(64))" }
            context.logger.debug("client id from \(peer): \(described.joined(separator: " "))")
        }
        send(.untagged(.id([IDField(key: "name", value: "Mailshard"), IDField(key: "vendor", value: "Mailshard")])))
        complete(tag, "ID completed")
    }

    func handleEnable(tag: String, names: [String]) {
        let enabled = machine.enable(names)
        if machine.isRev2Enabled { encoder.utf8Enabled = true }
        send(.untagged(.enabled(enabled)))
        complete(tag, "ENABLE completed")
    }

    /// One personal namespace, no prefix, `/` as delimiter.
    func handleNamespace(tag: String) {
        let personal = [NamespaceDescription(prefix: "", delimiter: "/")]
        send(.untagged(.namespace(NamespaceResponse(personal: personal, otherUsers: nil, shared: nil))))
        complete(tag, "NAMESPACE completed")
    }
}
