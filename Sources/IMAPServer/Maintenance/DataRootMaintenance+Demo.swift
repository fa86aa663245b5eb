import MailStore

extension DataRootMaintenance {
    /// Gives a new demo user something to browse: a small folder tree and a few
    /// messages (one read, one flagged) in INBOX and Sent.
    public func seedDemo(user name: String) async throws {
        do {
            let user = try await store.user(name)
            try await user.create("Projects/Mailshard")
            try await user.subscribe("Projects/Mailshard")
            let inbox = try await user.mailbox(named: "INBOX")
            _ = try await inbox.append(Self.demoMessage(subject: "Welcome to Mailshard", from: "Mailshard <postmaster@localhost>",
                body: "This is the demo account. Folders, flags and search all work on this data."),
                flags: MessageFlags(.seen))
            _ = try await inbox.append(Self.demoMessage(subject: "Lunch on Friday?", from: "Alice <alice@example.org>",
                body: "Shall we try the new place by the river?"),
                flags: MessageFlags(.flagged))
            _ = try await inbox.append(Self.demoMessage(subject: "Build finished", from: "CI <ci@example.org>",
                body: "All tests passed."))
            let sent = try await user.mailbox(named: "Sent")
            _ = try await sent.append(Self.demoMessage(subject: "Re: Lunch on Friday?", from: "Demo <demo@localhost>",
                body: "Yes, see you at noon."), flags: MessageFlags(.seen))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private static func demoMessage(subject: String, from: String, body: String) -> [UInt8] {
        let text = "From: \(from)\r\nTo: Demo <demo@localhost>\r\nSubject: \(subject)\r\n"
            + "Date: Fri, 27 Nov 2026 09:00:00 +0000\r\nMessage-ID: <\(subject.hashValue.magnitude)@mailshard.demo>\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
        return Array(text.utf8)
    }
}
