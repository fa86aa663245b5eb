/// A client command with its tag.
///
///     command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
public struct TaggedCommand: Hashable, Sendable {
    public var tag: String
    public var command: Command

    public init(tag: String, command: Command) {
        self.tag = tag
        self.command = command
    }
}

/// Every command of RFC 9051 and IMAP4rev1, their UID forms, and the extensions the
/// server offers. State rules (which command is valid when) are the session's job.
public enum Command: Hashable, Sendable {
    // command-any
    case capability
    case noop
    case logout
    case id([IDField]?)
    case enable([String])

    // command-nonauth
    case startTLS
    case authenticate(mechanism: String, initialResponse: InitialResponse?)
    case login(username: String, password: String)

    // command-auth
    case select(MailboxName, [SelectParameter])
    case examine(MailboxName, [SelectParameter])
    case create(MailboxName, [CreateParameter])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName, [ExtensionParameter])
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    case list(ListCommand)
    /// IMAP4rev1 LSUB.
    case lsub(reference: MailboxName, pattern: String)
    case namespace
    case status(MailboxName, [StatusAttribute])
    /// An APPEND whose messages all arrived inside the frame. One whose message was
    /// streamed arrives through ``AppendStreamParser`` instead.
    case append(MailboxName, [AppendMessage])
    case idle
    case compress(algorithm: String)

    // command-select
    case check
    case close
    case unselect
    case expunge
    case uidExpunge(SequenceSet)
    case search(SearchCommand)
    case fetch(FetchCommand)
    case store(StoreCommand)
    case copy(SequenceSet, MailboxName, byUID: Bool)
    case move(SequenceSet, MailboxName, byUID: Bool)

    /// A command name the codec does not know; the server answers `BAD` naming it.
    case unknown(name: String)
}

/// SEARCH or UID SEARCH.
///
///     search = "SEARCH" [search-return-opts] SP search-program
public struct SearchCommand: Hashable, Sendable {
    public var byUID: Bool
    /// nil without `RETURN (...)`; `[]` for `RETURN ()`, which means ALL.
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    /// The criteria; several top-level keys are one `.and`.
    public var key: SearchKey

    public init(byUID: Bool, returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, key: SearchKey) {
        self.byUID = byUID
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}

/// FETCH or UID FETCH.
///
///     fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///             "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
public struct FetchCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    /// The items, with ALL / FAST / FULL expanded.
    public var attributes: [FetchAttribute]
    public var modifiers: [FetchModifier]

    public init(byUID: Bool, set: SequenceSet, attributes: [FetchAttribute], modifiers: [FetchModifier] = []) {
        self.byUID = byUID
        self.set = set
        self.attributes = attributes
        self.modifiers = modifiers
    }
}

/// STORE or UID STORE.
///
///     store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
public struct StoreCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    public var modifiers: [StoreModifier]
    public var flags: StoreFlags

    public init(byUID: Bool, set: SequenceSet, modifiers: [StoreModifier] = [], flags: StoreFlags) {
        self.byUID = byUID
        self.set = set
        self.modifiers = modifiers
        self.flags = flags
    }
}
