import IMAPCodec

/// The rules of one IMAP session as a value: which command is allowed in which
/// state, how authentication, SELECT and LOGOUT move between states, and what the
/// client enabled (IMAP4rev2 changes LSUB, RECENT and mailbox-name encoding).
/// It performs no I/O; the `Session` actor asks it before running a command and
/// tells it what happened, so every rule is testable without sockets.
///
/// Concurrency: a session runs one command at a time, in the order the client
/// pipelined them, so responses never interleave; RFC 9051 section 5.5 allows
/// that for every command.
struct SessionStateMachine: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case notAuthenticated
        /// An AUTHENTICATE exchange is waiting for the client's next line.
        case authenticating(tag: String)
        case authenticated(user: String)
        case selected(user: String, readOnly: Bool)
        case loggedOut
    }

    /// Whether a command may run now, and if not, why.
    enum Decision: Sendable, Equatable {
        case run
        /// Answer `tag BAD <text>` without running it.
        case reject(String)
    }

    private(set) var state: State = .notAuthenticated
    /// The client sent `ENABLE IMAP4rev2`: UTF-8 names, no LSUB, no RECENT.
    private(set) var isRev2Enabled = false
    /// A CONDSTORE enabling command ran (RFC 7162 3.1): every untagged FETCH that
    /// reports flags carries UID and MODSEQ, every SELECT answers HIGHESTMODSEQ.
    private(set) var isCondStoreEnabled = false
    /// The client sent `ENABLE QRESYNC` (RFC 7162 3.2.3): expunges are reported
    /// as VANISHED, and SELECT (QRESYNC) / UID FETCH (VANISHED) are allowed.
    private(set) var isQResyncEnabled = false

    init() {}

    var user: String? {
        switch state {
        case .authenticated(let user), .selected(let user, _): user
        case .notAuthenticated, .authenticating, .loggedOut: nil
        }
    }

    var isAuthenticated: Bool { user != nil }

    var isSelected: Bool {
        if case .selected = state { return true }
        return false
    }

    var isReadOnly: Bool {
        if case .selected(_, let readOnly) = state { return readOnly }
        return false
    }

    /// Decides whether `command` may run in the current state.
    func decide(_ command: Command) -> Decision {
        let name = command.name
        switch state {
        case .loggedOut:
            return .reject("Logged out")
        case .authenticating:
            return .reject("Authentication in progress")
        case .notAuthenticated, .authenticated, .selected:
            break
        }
        switch command.requiredState {
        case .any:
            return .run
        case .notAuthenticated:
            return isAuthenticated ? .reject("\(name) not allowed: already authenticated") : .run
        case .authenticated:
            return isAuthenticated ? .run : .reject("\(name) not allowed: log in first")
        case .authenticatedOnly:
            if !isAuthenticated { return .reject("\(name) not allowed: log in first") }
            return isSelected ? .reject("\(name) not allowed while a mailbox is selected") : .run
        case .selected:
            if !isAuthenticated { return .reject("\(name) not allowed: log in first") }
            return isSelected ? .run : .reject("\(name) not allowed: no mailbox selected")
        case .rev1Only:
            if !isAuthenticated { return .reject("\(name) not allowed: log in first") }
            return isRev2Enabled ? .reject("\(name) is not part of IMAP4rev2") : .run
        }
    }

    // MARK: - Transitions

    mutating func authenticationBegan(tag: String) {
        precondition(state == .notAuthenticated)
        state = .authenticating(tag: tag)
    }

    /// The AUTHENTICATE exchange ended without a login.
    mutating func authenticationFailed() {
        if case .authenticating = state { state = .notAuthenticated }
    }

    mutating func loggedIn(user: String) {
        precondition(!isAuthenticated, "a session logs in once")
        state = .authenticated(user: user)
    }

    mutating func selected(readOnly: Bool) {
        guard let user else { preconditionFailure("SELECT before login") }
        state = .selected(user: user, readOnly: readOnly)
    }

    /// CLOSE, UNSELECT, a failed SELECT, or the selected mailbox deleted.
    mutating func unselected() {
        guard let user else { return }
        state = .authenticated(user: user)
    }

    mutating func loggedOut() {
        state = .loggedOut
    }

    /// ENABLE: returns the capabilities this command enabled, for `* ENABLED`:
    /// the names asked for that were not on before it (RFC 5161 3.1 says the
    /// response SHOULD list only those), so `ENABLE QRESYNC` answers QRESYNC
    /// though it turns CONDSTORE on too, and `ENABLE QRESYNC CONDSTORE` both
    /// (RFC 7162 3.2.3). Unknown or unsupported names are ignored.
    mutating func enable(_ capabilities: [String]) -> [String] {
        let before = self
        var enabled: [String] = []
        for capability in capabilities {
            switch capability.uppercased() {
            case "IMAP4REV2":
                if !before.isRev2Enabled, !enabled.contains("IMAP4rev2") { enabled.append("IMAP4rev2") }
                isRev2Enabled = true
            case "CONDSTORE":
                if !before.isCondStoreEnabled, !enabled.contains("CONDSTORE") { enabled.append("CONDSTORE") }
                isCondStoreEnabled = true
            case "QRESYNC":
                if !before.isQResyncEnabled, !enabled.contains("QRESYNC") { enabled.append("QRESYNC") }
                isQResyncEnabled = true
                isCondStoreEnabled = true
            default:
                continue
            }
        }
        return enabled
    }

    /// A CONDSTORE enabling command other than ENABLE ran (SELECT (CONDSTORE),
    /// STATUS (HIGHESTMODSEQ), FETCH MODSEQ or CHANGEDSINCE, SEARCH MODSEQ, STORE
    /// UNCHANGEDSINCE: RFC 7162 3.1). Returns whether it was the first, which with
    /// a mailbox selected owes the client that mailbox's HIGHESTMODSEQ.
    mutating func condStoreUsed() -> Bool {
        defer { isCondStoreEnabled = true }
        return !isCondStoreEnabled
    }
}

/// The state a command needs (RFC 9051 section 6).
enum RequiredState: Sendable, Equatable {
    case any
    case notAuthenticated
    /// Authenticated or selected.
    case authenticated
    /// Authenticated and no mailbox selected (ENABLE, RFC 5161 section 3.1).
    case authenticatedOnly
    case selected
    /// LSUB: IMAP4rev1 only, in authenticated or selected state.
    case rev1Only
}

extension Command {
    var requiredState: RequiredState {
        switch self {
        case .capability, .noop, .logout, .id, .unknown: .any
        case .startTLS, .authenticate, .login: .notAuthenticated
        case .enable: .authenticatedOnly
        case .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .namespace,
             .status, .append, .idle, .compress:
            .authenticated
        case .lsub: .rev1Only
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move: .selected
        }
    }

    /// The command's name as a client writes it, for response texts and logs.
    var name: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .id: "ID"
        case .enable: "ENABLE"
        case .startTLS: "STARTTLS"
        case .authenticate: "AUTHENTICATE"
        case .login: "LOGIN"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .rename: "RENAME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .list: "LIST"
        case .lsub: "LSUB"
        case .namespace: "NAMESPACE"
        case .status: "STATUS"
        case .append: "APPEND"
        case .idle: "IDLE"
        case .compress: "COMPRESS"
        case .check: "CHECK"
        case .close: "CLOSE"
        case .unselect: "UNSELECT"
        case .expunge: "EXPUNGE"
        case .uidExpunge: "UID EXPUNGE"
        case .search(let search): search.byUID ? "UID SEARCH" : "SEARCH"
        case .fetch(let fetch): fetch.byUID ? "UID FETCH" : "FETCH"
        case .store(let store): store.byUID ? "UID STORE" : "STORE"
        case .copy(_, _, let byUID): byUID ? "UID COPY" : "COPY"
        case .move(_, _, let byUID): byUID ? "UID MOVE" : "MOVE"
        case .unknown(let name): String(name.prefix(64))
        }
    }
}
