import IMAPCodec
import MailStore

/// Conversions between the codec's `Flag` (wire spelling) and the store's
/// `MessageFlags` (system bits plus keyword names).
enum FlagTranslation {
    /// The flags of a STORE or APPEND as the store keeps them. `\Recent` cannot be
    /// set by a client (RFC 3501 2.3.2) and unknown `\`-flags are not ours to keep:
    /// both are rejected rather than silently dropped.
    static func messageFlags(_ flags: [Flag]) throws(MessageCommandError) -> MessageFlags {
        var result = MessageFlags()
        for flag in flags {
            if flag.isSystemFlag {
                guard let system = SystemFlags(imapName: flag.rawValue) else {
                    throw .invalidFlag(flag.rawValue)
                }
                result.system.insert(system)
            } else {
                result.keywords.insert(flag.rawValue)
            }
        }
        return result
    }

    /// The store's flag change for a STORE's `FLAGS` / `+FLAGS` / `-FLAGS`.
    static func change(_ store: StoreFlags) throws(MessageCommandError) -> FlagChange {
        let flags = try messageFlags(store.flags)
        return switch store.operation {
        case .replace: .replace(flags)
        case .add: .add(flags)
        case .remove: .remove(flags)
        }
    }

    /// The wire flags of a message: system flags in a stable order, `\Recent` for
    /// IMAP4rev1 clients when this session holds the message as recent, then
    /// keywords sorted (so transcripts are deterministic).
    static func wireFlags(_ flags: MessageFlags, recent: Bool = false) -> [Flag] {
        var result = flags.system.imapNames.map(Flag.init)
        if recent { result.append(.recent) }
        for keyword in flags.keywords.sorted() { result.append(Flag(keyword)) }
        return result
    }
}
