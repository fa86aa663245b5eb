import Foundation
import MailStore

/// What the `mailshard` CLI does to a data root without a running server:
/// imports, exports and the consistency check. Run them while the server is
/// stopped: a data root has one writer process.
public struct DataRootMaintenance: Sendable {
    let store: MailStore

    /// Opens the store at `settings.dataDirectory`, which must exist.
    public init(settings: ServerSettings) throws {
        let root = try DataDirectory.absolute(settings.dataDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServerStartError(description: "the data directory \(root) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: root) else {
            throw ServerStartError(description: "the data directory \(root) is not writable")
        }
        store = try MailStore(root: root)
    }

    /// A summary line of an import or export.
    public struct Transfer: Sendable {
        public var mailboxes: Int
        public var messages: Int
        /// Source files that were not messages, with the reason.
        public var skipped: [String]

        init(_ report: TransferReport) {
            mailboxes = report.mailboxes
            messages = report.messages
            skipped = report.skipped
        }
    }

    /// Imports a Maildir++ tree (Dovecot's UIDs, flags and keywords kept) into `user`.
    public func importMaildir(user: String, path: String) async throws -> Transfer {
        try await closingStore { try await store.user(user).importMaildir(at: path) }
    }

    /// Imports an mbox file into one mailbox of `user` (created if needed).
    public func importMbox(user: String, path: String, mailbox: String) async throws -> Transfer {
        try await closingStore { try await store.user(user).importMbox(at: path, into: mailbox) }
    }

    /// Exports every mailbox of `user` to a Maildir++ tree Dovecot can read.
    public func exportMaildir(user: String, path: String) async throws -> Transfer {
        try await closingStore { try await store.user(user).exportMaildir(to: path) }
    }

    /// Runs a transfer and closes the store whether it succeeded or not.
    private func closingStore(_ body: () async throws -> TransferReport) async throws -> Transfer {
        do {
            let report = try await body()
            await store.close()
            return Transfer(report)
        } catch {
            await store.close()
            throw error
        }
    }

    /// What ``check(users:messages:report:)`` found.
    public struct CheckSummary: Sendable {
        public var users = 0
        public var mailboxes = 0
        public var messages = 0
        public var problems: [String] = []
    }

    /// Opens every mailbox of every user (or of `users`), which reads and verifies
    /// its index and journal; with `messages`, opens every message file too.
    /// Calls `report` with a line per user.
    public func check(users: [String]? = nil, messages: Bool, report: (String) -> Void) async -> CheckSummary {
        var summary = CheckSummary()
        for name in users ?? userNames() {
            summary.users += 1
            do {
                let user = try await store.user(name)
                var userMessages = 0
                for info in user.mailboxes() {
                    do {
                        let mailbox = try await user.mailbox(named: info.name)
                        let view = mailbox.view()
                        summary.mailboxes += 1
                        userMessages += view.count
                        if messages {
                            for uid in view.uids {
                                do {
                                    _ = try mailbox.openMessage(uid: uid)
                                } catch {
                                    summary.problems.append("\(name): \(info.name): UID \(uid): \(error)")
                                }
                            }
                        }
                    } catch {
                        summary.problems.append("\(name): \(info.name): \(error)")
                    }
                }
                summary.messages += userMessages
                report("\(name): \(user.mailboxes().count) mailboxes, \(userMessages) messages")
            } catch {
                summary.problems.append("\(name): \(error)")
            }
        }
        await store.close()
        return summary
    }

    /// The users with a directory under `<root>/users/<xx>/<yy>/`.
    func userNames() -> [String] {
        let manager = FileManager.default
        let users = store.root + "/users"
        var names: [String] = []
        for first in (try? manager.contentsOfDirectory(atPath: users)) ?? [] {
            for second in (try? manager.contentsOfDirectory(atPath: users + "/" + first)) ?? [] {
                names += (try? manager.contentsOfDirectory(atPath: users + "/" + first + "/" + second)) ?? []
            }
        }
        return names.sorted()
    }
}
