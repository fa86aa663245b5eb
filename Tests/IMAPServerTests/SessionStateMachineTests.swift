import IMAPCodec
import Testing
@testable import IMAPServer

/// The session's rules without sockets.
@Suite struct SessionStateMachineTests {
    static let anyState: [Command] = [.capability, .noop, .logout, .id(nil)]
    static let authenticatedCommands: [Command] = [
        .select(.inbox, []), .examine(.inbox, []), .create(MailboxName("a"), []), .delete(MailboxName("a")),
        .subscribe(.inbox), .unsubscribe(.inbox), .namespace, .status(.inbox, [.messages]), .idle,
        .list(ListCommand(reference: MailboxName(""), patterns: ["*"])),
    ]
    static let selectedCommands: [Command] = [.check, .close, .unselect, .expunge]

    @Test(arguments: anyState)
    func anyStateCommandsRunEverywhere(command: Command) {
        var machine = SessionStateMachine()
        #expect(machine.decide(command) == .run)
        machine.loggedIn(user: "alice")
        #expect(machine.decide(command) == .run)
        machine.selected(readOnly: false)
        #expect(machine.decide(command) == .run)
    }

    @Test(arguments: authenticatedCommands)
    func authenticatedCommandsNeedALogin(command: Command) {
        var machine = SessionStateMachine()
        #expect(machine.decide(command) == .reject("\(command.name) not allowed: log in first"))
        machine.loggedIn(user: "alice")
        #expect(machine.decide(command) == .run)
        machine.selected(readOnly: true)
        #expect(machine.decide(command) == .run)
    }

    @Test(arguments: selectedCommands)
    func selectedCommandsNeedASelection(command: Command) {
        var machine = SessionStateMachine()
        machine.loggedIn(user: "alice")
        #expect(machine.decide(command) == .reject("\(command.name) not allowed: no mailbox selected"))
        machine.selected(readOnly: false)
        #expect(machine.decide(command) == .run)
        machine.unselected()
        #expect(machine.decide(command) == .reject("\(command.name) not allowed: no mailbox selected"))
    }

    @Test func loginCommandsOnlyBeforeLogin() {
        var machine = SessionStateMachine()
        let login = Command.login(username: "a", password: "b")
        #expect(machine.decide(login) == .run)
        machine.authenticationBegan(tag: "a1")
        #expect(machine.decide(.noop) == .reject("Authentication in progress"))
        machine.authenticationFailed()
        #expect(machine.state == .notAuthenticated)
        machine.loggedIn(user: "alice")
        #expect(machine.decide(login) == .reject("LOGIN not allowed: already authenticated"))
        #expect(machine.user == "alice")
    }

    @Test func enableOnlyOutsideSelectedStateAndOnce() {
        var machine = SessionStateMachine()
        machine.loggedIn(user: "alice")
        #expect(machine.decide(.enable(["IMAP4rev2"])) == .run)
        #expect(machine.enable(["X", "imap4rev2"]) == ["IMAP4rev2"])
        #expect(machine.enable(["IMAP4rev2"]) == [])
        #expect(machine.isRev2Enabled)
        machine.selected(readOnly: false)
        #expect(machine.decide(.enable(["IMAP4rev2"])) == .reject("ENABLE not allowed while a mailbox is selected"))
    }

    /// ENABLE answers the names it turned on (RFC 5161 3.1); QRESYNC turns
    /// CONDSTORE on too (RFC 7162 3.2.3); an enabling command other than ENABLE
    /// reports whether it was the first.
    @Test(arguments: [
        (["QRESYNC"], ["QRESYNC"], true, true),
        (["qresync", "condstore"], ["QRESYNC", "CONDSTORE"], true, true),
        (["CONDSTORE", "CONDSTORE"], ["CONDSTORE"], true, false),
        (["X-UNKNOWN"], [], false, false),
    ])
    func enableCondStoreAndQResync(names: [String], listed: [String], condStore: Bool, qresync: Bool) {
        var machine = SessionStateMachine()
        machine.loggedIn(user: "alice")
        #expect(machine.enable(names) == listed)
        #expect(machine.isCondStoreEnabled == condStore)
        #expect(machine.isQResyncEnabled == qresync)
        #expect(machine.enable(names) == [])
        #expect(machine.condStoreUsed() == !condStore)
        #expect(machine.condStoreUsed() == false)
        #expect(machine.isCondStoreEnabled)
    }

    @Test func lsubOnlyForRev1() {
        var machine = SessionStateMachine()
        let lsub = Command.lsub(reference: MailboxName(""), pattern: "*")
        machine.loggedIn(user: "alice")
        #expect(machine.decide(lsub) == .run)
        _ = machine.enable(["IMAP4rev2"])
        #expect(machine.decide(lsub) == .reject("LSUB is not part of IMAP4rev2"))
    }

    @Test func nothingRunsAfterLogout() {
        var machine = SessionStateMachine()
        machine.loggedOut()
        #expect(machine.decide(.noop) == .reject("Logged out"))
    }

    @Test(arguments: [
        ("*", "a/b", true), ("%", "a/b", false), ("%", "a", true), ("a/%", "a/b", true), ("a/%", "a/b/c", false),
        ("a*c", "a/b/c", true), ("a%c", "a/b/c", false), ("inbox", "INBOX", true), ("Inbox/%", "INBOX/x", true),
        ("x", "X", false), ("**%*", "long/name/here", true), ("", "a", false),
    ])
    func patterns(pattern: String, name: String, matches: Bool) {
        #expect(MailboxPattern(pattern).matches(name) == matches)
    }
}
