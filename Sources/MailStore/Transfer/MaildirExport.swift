#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension UserStore {
    /// Exports every mailbox to a Maildir++ tree at `path` (INBOX at the top, `A/B`
    /// as `.A.B`) that Dovecot reads with UIDs intact: files in `cur/` named
    /// `<date>.M<uid>.mailshard,S=<size>:2,<flags>` with the internal date as mtime,
    /// a `dovecot-uidlist` (version 3) with UIDVALIDITY and UIDNEXT, and a
    /// `dovecot-keywords` table for the first 26 keywords. Bodies stay CRLF.
    public func exportMaildir(to path: String) async throws -> TransferReport {
        var report = TransferReport()
        try io.makeDirectories(path)
        for info in mailboxes() {
            let folder = info.name == "INBOX" ? path : path + "/" + MaildirFolderName.folder(forMailbox: info.name)
            for sub in ["cur", "new", "tmp"] { try io.makeDirectories(folder + "/" + sub) }
            let mailbox = try await mailbox(id: info.id)
            let view = mailbox.view()
            var keywordIndex: [String: Int] = [:]
            for (i, keyword) in view.keywords.filter({ $0 != "$Forwarded" }).enumerated() { keywordIndex[keyword] = i }

            var uidList = "3 V\(view.status.uidValidity) N\(view.status.uidNext) G\(String(info.id, radix: 16))\n"
            for sequence in stride(from: 1, through: view.count, by: 1) {
                let message = view.message(atSequence: sequence)
                guard let file = try? mailbox.openMessage(uid: message.uid) else { continue } // expunged meanwhile
                let base = "\(message.internalDate.secondsSinceEpoch).M\(message.uid).mailshard,S=\(message.size)"
                let name = base + ":2," + MaildirName.letters(for: message.flags, keywordIndex: keywordIndex)
                let temporary = folder + "/tmp/" + base
                let fd = try io.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
                do {
                    try file.withBody { try io.write(fd, $0, at: 0) }
                } catch {
                    io.close(fd)
                    throw error
                }
                io.close(fd)
                try io.setModificationTime(temporary, seconds: message.internalDate.secondsSinceEpoch)
                try io.rename(temporary, folder + "/cur/" + name)
                uidList += "\(message.uid) :\(base)\n"
                report.messages += 1
            }
            try await io.writeFileAtomically(folder + "/dovecot-uidlist", Array(uidList.utf8))
            let keywords = keywordIndex.sorted { $0.value < $1.value }.prefix(26).map { "\($0.value) \($0.key)\n" }.joined()
            try await io.writeFileAtomically(folder + "/dovecot-keywords", Array(keywords.utf8))
            report.mailboxes += 1
        }
        return report
    }
}
