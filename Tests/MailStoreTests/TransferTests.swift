import Testing
@testable import MailStore

@Suite struct TransferTests {
    let io = PosixFileIO()

    func write(_ path: String, _ text: String, mtime: Int64? = nil) async throws {
        try io.makeDirectories(path.directoryPart)
        try await io.writeFileAtomically(path, Array(text.utf8))
        if let mtime { try io.setModificationTime(path, seconds: mtime) }
    }

    func lf(_ subject: String, body: String = "Body line\n") -> String {
        "From: a@example.com\nSubject: \(subject)\nDate: Mon, 2 Jan 2006 15:04:05 -0700\n\n\(body)"
    }

    func crlf(_ text: String) -> [UInt8] { LineEndings.crlf(Array(text.utf8)) }

    /// A Dovecot Maildir++ tree: INBOX with a version 3 uidlist and keywords, a
    /// `.Sent` folder with a Courier-style version 1 uidlist, and `.Lists.Swift`
    /// with no uidlist at all.
    func makeDovecotMaildir(at root: String) async throws {
        try await write(root + "/dovecot-uidlist", """
            3 V1275660208 N60 G3085f01b7f11094c501100008c4a11c1
            5 W300 :1276528487.M1P1.host,S=290
            7 :1276528488.M2P1.host,S=100
            9 W1 S2 :1276528489.M3P1.host
            """ + "\n")
        try await write(root + "/dovecot-keywords", "0 Work\n1 $Label2\n")
        try await write(root + "/cur/1276528487.M1P1.host,S=290:2,S", lf("five"), mtime: 1_276_528_487)
        try await write(root + "/cur/1276528488.M2P1.host,S=100:2,FRSab", lf("seven"), mtime: 1_276_528_488)
        try await write(root + "/cur/1276528489.M3P1.host:2,DPT", lf("nine"), mtime: 1_276_528_489)
        try await write(root + "/new/1276529000.M4P1.host", lf("new one"), mtime: 1_276_529_000)
        try io.makeDirectories(root + "/tmp")
        try await write(root + "/.Sent/dovecot-uidlist", "1 777 12\n3 1276528500.M9P1.host\n")
        try await write(root + "/.Sent/cur/1276528500.M9P1.host:2,S", lf("sent"), mtime: 1_276_528_500)
        try await write(root + "/.Lists.Swift/cur/1276528600.M10P1.host:2,", lf("list"), mtime: 1_276_528_600)
        try io.makeDirectories(root + "/.Lists.Swift/new")
    }

    @Test func importsDovecotMaildirKeepingUIDsFlagsAndDates() async throws {
        let directory = TemporaryDirectory()
        let source = directory.path + "/Maildir"
        try await makeDovecotMaildir(at: source)
        let user = try await openStore(directory).user("migrated")
        let report = try await user.importMaildir(at: source)
        #expect(report.mailboxes == 3 && report.messages == 6 && report.skipped.isEmpty)

        let inbox = try await user.mailbox(named: "INBOX")
        let view = inbox.view()
        #expect(view.status.uidValidity == 1_275_660_208 && user.info("INBOX")!.uidValidity == 1_275_660_208)
        #expect(view.uids == [5, 7, 9, 60], "uidlist UIDs kept; the unlisted file gets N")
        #expect(view.status.uidNext == 61)
        #expect(view.message(uid: 5)!.flags == MessageFlags(.seen))
        #expect(view.message(uid: 7)!.flags == MessageFlags([.flagged, .answered, .seen], keywords: ["Work", "$Label2"]))
        #expect(view.message(uid: 9)!.flags == MessageFlags([.draft, .deleted], keywords: ["$Forwarded"]))
        #expect(view.message(uid: 60)!.flags == MessageFlags())
        #expect(view.message(uid: 7)!.internalDate.secondsSinceEpoch == 1_276_528_488)
        #expect(try inbox.openMessage(uid: 7).body == crlf(lf("seven")))
        #expect(view.message(uid: 7)!.size == crlf(lf("seven")).count)

        let sent = try await user.mailbox(named: "Sent")
        #expect(sent.view().uids == [3] && sent.status().uidValidity == 777 && sent.status().uidNext == 12)
        #expect(user.info("Sent")?.role == .sent)
        let swift = try await user.mailbox(named: "Lists/Swift")
        #expect(swift.view().uids == [1] && user.info("Lists") != nil)
    }

    @Test func uidNextFromTheUIDListIsNeverReused() async throws {
        let directory = TemporaryDirectory()
        let source = directory.path + "/Maildir"
        try await write(source + "/dovecot-uidlist", "3 V42 N100\n4 :a.host\n")
        try await write(source + "/cur/a.host:2,S", lf("only"))
        let user = try await openStore(directory).user("u")
        _ = try await user.importMaildir(at: source)
        let inbox = try await user.mailbox(named: "INBOX")
        #expect(inbox.status().uidNext == 100)
        #expect(try await inbox.append(makeMessage()) == 100)
    }

    @Test func importsMboxWithQuotingFlagsAndDates() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/mail.mbox"
        try await write(path, """
            From alice@example.com Tue Jul  1 10:52:37 2003
            From: alice@example.com
            Subject: first
            Status: RO
            X-Status: AF
            X-Keywords: Work $Label1
            Content-Length: 99

            Hello
            >From the start of a line
            >>From deeper

            From bob@example.com Wed Jan 14 08:00:00 2004
            From: bob@example.com
            Subject: second

            Second body
            From inside a paragraph is not a separator

            """)
        let user = try await openStore(directory).user("u")
        let report = try await user.importMbox(at: path, into: "Imported/Old")
        #expect(report.messages == 2)
        let mailbox = try await user.mailbox(named: "Imported/Old")
        let view = mailbox.view()
        #expect(view.uids == [1, 2])
        let first = view.message(uid: 1)!
        #expect(first.flags == MessageFlags([.seen, .answered, .flagged], keywords: ["Work", "$Label1"]))
        #expect(first.internalDate.secondsSinceEpoch == Int64(CivilDate.days(year: 2003, month: 7, day: 1)) * 86_400 + 10 * 3600 + 52 * 60 + 37)
        #expect(try mailbox.openMessage(uid: 1).body == crlf("""
            From: alice@example.com
            Subject: first

            Hello
            From the start of a line
            >From deeper

            """))
        #expect(try mailbox.openMessage(uid: 2).body == crlf("""
            From: bob@example.com
            Subject: second

            Second body
            From inside a paragraph is not a separator

            """))
        #expect(view.message(uid: 2)!.flags == MessageFlags())
    }

    @Test func mboxWithDovecotUIDsKeepsThem() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/dovecot.mbox"
        try await write(path, """
            From a Tue Jul  1 10:52:37 2003
            X-IMAPbase: 1111 30
            X-UID: 10
            Subject: a

            a
            
            From b Tue Jul  1 10:52:38 2003
            X-UID: 20
            Subject: b

            b

            """)
        let user = try await openStore(directory).user("u")
        _ = try await user.importMbox(at: path, into: "INBOX")
        let inbox = try await user.mailbox(named: "INBOX")
        #expect(inbox.view().uids == [10, 20])
        #expect(inbox.status().uidValidity == 1111 && inbox.status().uidNext == 30)
        #expect(try inbox.openMessage(uid: 10).body == crlf("Subject: a\n\na\n"))
    }

    @Test func exportThenImportRoundTrips() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let alice = try await store.user("alice")
        try await alice.create("Dotted.Name/Child")
        let inbox = try await alice.mailbox(named: "INBOX")
        let child = try await alice.mailbox(named: "Dotted.Name/Child")
        let date = InternalDate(secondsSinceEpoch: 1_500_000_000)
        _ = try await inbox.append(makeMessage(subject: "one"), flags: MessageFlags([.seen, .flagged], keywords: ["Work"]), internalDate: date)
        _ = try await inbox.append(makeMessage(subject: "two"), flags: MessageFlags(.answered, keywords: ["$Forwarded"]), internalDate: date)
        _ = try await inbox.append(makeMessage(subject: "three"), internalDate: date)
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([2...2]))
        try await inbox.expunge(uids: UIDSet([2...2]))
        _ = try await child.append(makeMessage(subject: "child"), internalDate: date)

        let exported = try await alice.exportMaildir(to: directory.path + "/export")
        #expect(exported.messages == 3 && exported.mailboxes == alice.mailboxes().count)
        #expect(io.isDirectory(directory.path + "/export/.Dotted%2EName.Child/cur"))

        let bob = try await store.user("bob")
        _ = try await bob.importMaildir(at: directory.path + "/export")
        for name in ["INBOX", "Dotted.Name/Child"] {
            let before = try await alice.mailbox(named: name).view(), after = try await bob.mailbox(named: name).view()
            #expect(after.status.uidValidity == before.status.uidValidity)
            #expect(after.status.uidNext == before.status.uidNext)
            #expect(after.uids == before.uids)
            for uid in before.uids {
                #expect(after.message(uid: uid)!.flags == before.message(uid: uid)!.flags)
                #expect(after.message(uid: uid)!.internalDate == before.message(uid: uid)!.internalDate)
                let original = try await alice.mailbox(named: name).openMessage(uid: uid).body
                #expect(try await bob.mailbox(named: name).openMessage(uid: uid).body == original)
            }
        }
    }

    @Test func refusesWhatIsNotMaildirOrMbox() async throws {
        let directory = TemporaryDirectory()
        let user = try await openStore(directory).user("u")
        await #expect(throws: StoreError.badImportSource(path: directory.path, reason: "not a Maildir (no cur/ or new/)")) {
            try await user.importMaildir(at: directory.path)
        }
        try await write(directory.path + "/not.mbox", "Subject: x\n\nno separator\n")
        await #expect(throws: StoreError.badImportSource(path: directory.path + "/not.mbox", reason: "no `From ` line: not an mbox file")) {
            try await user.importMbox(at: directory.path + "/not.mbox", into: "X")
        }
    }
}
