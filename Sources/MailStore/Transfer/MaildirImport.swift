/// What an import or export did.
public struct TransferReport: Sendable, Equatable {
    public var mailboxes: Int = 0
    public var messages: Int = 0
    /// Files that could not be read as messages, with the reason.
    public var skipped: [String] = []
}

extension UserStore {
    /// Imports a Maildir++ tree: `path` itself is INBOX, each `.A.B` folder is the
    /// mailbox `A/B`. Keeps Dovecot's UIDs and UIDVALIDITY from `dovecot-uidlist`
    /// (version 3, or Courier-compatible version 1), the `:2,` flags, keywords from
    /// `dovecot-keywords`, and the file's mtime as the internal date. Line endings
    /// become CRLF. Messages go in in UID order, in batches sharing one commit.
    public func importMaildir(at path: String, batchSize: Int = 256) async throws -> TransferReport {
        guard io.isDirectory(path + "/cur") || io.isDirectory(path + "/new") else {
            throw StoreError.badImportSource(path: path, reason: "not a Maildir (no cur/ or new/)")
        }
        var report = TransferReport()
        try await importMaildirFolder(path, into: "INBOX", batchSize: batchSize, report: &report)
        for entry in try io.listDirectory(path).sorted() {
            guard let name = MaildirFolderName.mailboxName(forFolder: entry), io.isDirectory(path + "/" + entry + "/cur")
            else { continue }
            try await importMaildirFolder(path + "/" + entry, into: name, batchSize: batchSize, report: &report)
        }
        return report
    }

    private func importMaildirFolder(_ folder: String, into name: String, batchSize: Int, report: inout TransferReport) async throws {
        let uidList = try DovecotUIDList.read(folder + "/dovecot-uidlist", io: io)
        let keywords = try Self.readDovecotKeywords(folder + "/dovecot-keywords", io: io)
        struct Entry { var path: String; var name: MaildirName; var uid: UID?; var mtime: Int64 }
        var entries: [Entry] = []
        for sub in ["cur", "new"] {
            for file in try io.listDirectory(folder + "/" + sub) where !file.hasPrefix(".") {
                let parsed = MaildirName(file)
                let path = folder + "/" + sub + "/" + file
                entries.append(Entry(
                    path: path, name: parsed, uid: uidList?.uids[parsed.base], mtime: (try? io.modificationTime(path)) ?? 0))
            }
        }
        // Known UIDs first, ascending; then unknown files by age, which get new UIDs.
        entries.sort { a, b in
            switch (a.uid, b.uid) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): (a.mtime, a.name.base) < (b.mtime, b.name.base)
            }
        }
        let mailbox = try await mailboxForImport(name, uidValidity: uidList?.uidValidity)
        report.mailboxes += 1
        var batch: [NewMessage] = [], batchUIDs: [UID] = []
        var nextFree = max(uidList?.nextUID ?? 1, (entries.compactMap(\.uid).max() ?? 0) + 1)
        for entry in entries {
            guard let bytes = try? io.readFile(entry.path) else {
                report.skipped.append("\(entry.path): unreadable")
                continue
            }
            batch.append(NewMessage(
                LineEndings.crlf(bytes), flags: entry.name.flags(keywords: keywords),
                internalDate: InternalDate(secondsSinceEpoch: entry.mtime)))
            if let uid = entry.uid {
                batchUIDs.append(uid)
            } else {
                batchUIDs.append(nextFree)
                nextFree += 1
            }
            if batch.count >= batchSize {
                report.messages += try await mailbox.append(batch, preservingUIDs: batchUIDs).count
                batch.removeAll(keepingCapacity: true)
                batchUIDs.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { report.messages += try await mailbox.append(batch, preservingUIDs: batchUIDs).count }
        if let next = uidList?.nextUID { try await mailbox.raiseUIDNext(to: next) }
    }

    /// `dovecot-keywords`: lines `<index> <keyword>`; index 0 is the letter `a`.
    static func readDovecotKeywords(_ path: String, io: any FileIO) throws -> [Int: String] {
        guard io.fileExists(path) else { return [:] }
        var keywords: [Int: String] = [:]
        for line in String(decoding: try io.readFile(path), as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if fields.count == 2, let index = Int(fields[0]) { keywords[index] = String(fields[1]) }
        }
        return keywords
    }
}

/// Dovecot's `dovecot-uidlist` (and Courier's compatible version 1):
///
///     3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1
///     25017 W2481 :1276528487.M364837P9451.kurkku,S=24606
///     1 1275660208 25022          (version 1 header)
///     25017 1276528487.M364837P9451.kurkku   (version 1 line)
struct DovecotUIDList {
    var uidValidity: UInt32
    var nextUID: UID
    /// Maildir base name (the part before `:2,`) → UID.
    var uids: [String: UID]

    static func read(_ path: String, io: any FileIO) throws -> DovecotUIDList? {
        guard io.fileExists(path) else { return nil }
        let lines = String(decoding: try io.readFile(path), as: UTF8.self).split(separator: "\n")
        guard let header = lines.first?.split(separator: " ") else { return nil }
        var list = DovecotUIDList(uidValidity: 0, nextUID: 1, uids: [:])
        switch header.first {
        case "3", "2":
            for field in header.dropFirst() {
                switch field.first {
                case "V": list.uidValidity = UInt32(field.dropFirst()) ?? 0
                case "N": list.nextUID = UID(field.dropFirst()) ?? 1
                default: break
                }
            }
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":"),
                      let uid = UID(line.prefix { $0 != " " && $0 != ":" })
                else { continue }
                list.uids[MaildirName(String(line[line.index(after: colon)...])).base] = uid
            }
        case "1":
            guard header.count >= 3, let validity = UInt32(header[1]), let next = UID(header[2]) else {
                throw StoreError.badImportSource(path: path, reason: "bad uidlist header")
            }
            list.uidValidity = validity
            list.nextUID = next
            for line in lines.dropFirst() {
                let fields = line.split(separator: " ", maxSplits: 1)
                if fields.count == 2, let uid = UID(fields[0]) { list.uids[MaildirName(String(fields[1])).base] = uid }
            }
        default:
            throw StoreError.badImportSource(path: path, reason: "unknown uidlist version \(header.first ?? "")")
        }
        guard list.uidValidity != 0 else { throw StoreError.badImportSource(path: path, reason: "no UIDVALIDITY") }
        return list
    }
}
