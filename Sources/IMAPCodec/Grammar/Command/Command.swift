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
