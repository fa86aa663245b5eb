/// A mailbox's special use (RFC 6154), as LIST reports it.
public enum SpecialUse: String, Sendable, CaseIterable {
    case all = "\\All"
    case archive = "\\Archive"
    case drafts = "\\Drafts"
    case flagged = "\\Flagged"
    case junk = "\\Junk"
    case sent = "\\Sent"
    case trash = "\\Trash"
}

/// One mailbox of a user as LIST sees it.
public struct MailboxInfo: Sendable, Equatable {
    /// Full name with `/` as hierarchy delimiter.
    public var name: String
    /// Stable across renames; names the mailbox's directory.
    public var id: UInt32
    public var uidValidity: UInt32
    public var role: SpecialUse?
}

/// The user's list of mailboxes and subscriptions (`<user>/mailboxes`), a small
/// text file rewritten atomically on every change:
///
///     mailshard-mailboxes 1
///     next-id 7
///     next-uidvalidity 1764216000
///     M <id> <uidvalidity> <role or -> <name>
///     S <name>
struct MailboxRegistry: Sendable, Equatable {
    static let delimiter: Character = "/"

    var nextID: UInt32 = 1
    var nextUIDValidity: UInt32
    var mailboxes: [MailboxInfo] = []
    var subscriptions: [String] = []

    init(now: UInt32) { nextUIDValidity = now }

    func find(_ name: String) -> MailboxInfo? { mailboxes.first { $0.name == name } }

    /// A UIDVALIDITY never handed out before for this user: at least the clock, so a
    /// user directory recreated from scratch does not repeat old values.
    mutating func takeUIDValidity(now: UInt32) -> UInt32 {
        let value = max(nextUIDValidity, now)
        nextUIDValidity = value &+ 1
        return value
    }

    mutating func takeID() -> UInt32 {
        defer { nextID += 1 }
        return nextID
    }

    func encode() -> [UInt8] {
        var text = "mailshard-mailboxes 1\nnext-id \(nextID)\nnext-uidvalidity \(nextUIDValidity)\n"
        for box in mailboxes {
            text += "M \(box.id) \(box.uidValidity) \(box.role?.rawValue ?? "-") \(box.name)\n"
        }
        for name in subscriptions { text += "S \(name)\n" }
        return Array(text.utf8)
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> MailboxRegistry {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "mailshard-mailboxes 1" else { throw StoreError.corrupt(path: path, reason: "bad header") }
        var registry = MailboxRegistry(now: 0)
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            let bad = StoreError.corrupt(path: path, reason: "bad line \(line.debugDescription)")
            switch fields.first {
            case "next-id":
                guard fields.count == 2, let value = UInt32(fields[1]) else { throw bad }
                registry.nextID = value
            case "next-uidvalidity":
                guard fields.count == 2, let value = UInt32(fields[1]) else { throw bad }
                registry.nextUIDValidity = value
            case "M":
                guard fields.count == 5, let id = UInt32(fields[1]), let validity = UInt32(fields[2]) else { throw bad }
                let role = fields[3] == "-" ? nil : SpecialUse(rawValue: String(fields[3]))
                registry.mailboxes.append(MailboxInfo(name: String(fields[4]), id: id, uidValidity: validity, role: role))
            case "S":
                registry.subscriptions.append(String(line.dropFirst(2)))
            default:
                throw bad
            }
        }
        return registry
    }

    /// Checks a mailbox name and returns its stored spelling (`INBOX` in capitals).
    static func normalize(_ name: String) throws -> String {
        var components = name.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "*" || $0 == "%" })
        else { throw StoreError.invalidMailboxName(name) }
        if components[0].uppercased() == "INBOX" { components[0] = "INBOX" }
        return components.joined(separator: String(delimiter))
    }

    /// `name` and its parents, shortest first: `a/b/c` → `a`, `a/b`, `a/b/c`.
    static func lineage(of name: String) -> [String] {
        let components = name.split(separator: delimiter)
        return (1...components.count).map { components.prefix($0).joined(separator: String(delimiter)) }
    }
}
