import IMAPCodec
import Testing
@testable import LoadCore

@Suite("Response validation")
struct ValidatorTests {
    @Test func acceptsAFetchWithEveryItem() throws {
        let fetched = try exchange(["* 1 FETCH (UID 7 FLAGS (\\Seen))", "* 2 FETCH (UID 8 FLAGS ())", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1, 2], items: [.uid, .flags]) } == nil)
    }

    @Test func rejectsAFetchMissingAMessage() throws {
        let fetched = try exchange(["* 1 FETCH (UID 7 FLAGS (\\Seen))", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1, 2], items: [.uid, .flags]) } == "invalid FETCH")
    }

    @Test func rejectsAFetchMissingAnItem() throws {
        let fetched = try exchange(["* 1 FETCH (UID 7)", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1], items: [.uid, .flags]) } == "invalid FETCH")
    }

    @Test func countsBodyBytesAndChecksTheirSize() throws {
        let fetched = try exchange(["* 3 FETCH (BODY[] {5}", "hello)", "a1 OK done"])
        var bytes = 0
        #expect(failureKind { bytes = try ResponseValidator.validateFetch(fetched, sequenceNumbers: [3], items: [.body], bodySize: 5) } == nil)
        #expect(bytes == 5)
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [3], items: [.body], bodySize: 6) } == "invalid FETCH")
    }

    @Test func rejectsANilBody() throws {
        let fetched = try exchange(["* 3 FETCH (BODY[] NIL)", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [3], items: [.body]) } == "invalid FETCH")
    }

    @Test func aPartialSectionIsNotTheWholeBody() throws {
        let fetched = try exchange(["* 3 FETCH (BODY[HEADER] {2}", "ab)", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [3], items: [.body]) } == "invalid FETCH")
    }

    @Test(arguments: [("NO", "NO FETCH"), ("BAD", "BAD FETCH")])
    func aTaggedFailureIsAnErrorOfItsKind(status: String, kind: String) throws {
        let fetched = try exchange(["* 1 FETCH (UID 7)", "a1 \(status) nope"])
        #expect(failureKind { try ResponseValidator.validateFetch(fetched, sequenceNumbers: [1], items: [.uid]) } == kind)
    }

    @Test func storeMustReflectTheChange() throws {
        let wrong = try exchange(["* 4 FETCH (FLAGS (\\Answered))", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateStore(wrong, sequenceNumbers: [4], flag: .seen, adding: true, requireReport: false) } == "invalid STORE")
        let right = try exchange(["* 4 FETCH (FLAGS (\\Answered \\Seen))", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateStore(right, sequenceNumbers: [4], flag: .seen, adding: true, requireReport: true) } == nil)
        #expect(failureKind { try ResponseValidator.validateStore(right, sequenceNumbers: [4], flag: .seen, adding: false, requireReport: true) } == "invalid STORE")
        let silent = try exchange(["a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateStore(silent, sequenceNumbers: [4], flag: .seen, adding: true, requireReport: false) } == nil)
        #expect(failureKind { try ResponseValidator.validateStore(silent, sequenceNumbers: [4], flag: .deleted, adding: true, requireReport: true) } == "invalid STORE")
    }

    @Test func appendUIDIsRequiredWhenAdvertised() throws {
        let with = try exchange(["a1 OK [APPENDUID 38505 3955] APPEND completed"])
        var uid: UInt32?
        #expect(failureKind { uid = try ResponseValidator.validateAppend(with, expectsAppendUID: true) } == nil)
        #expect(uid == 3955)
        let without = try exchange(["a1 OK APPEND completed"])
        #expect(failureKind { try ResponseValidator.validateAppend(without, expectsAppendUID: true) } == "invalid APPEND")
        #expect(failureKind { try ResponseValidator.validateAppend(without, expectsAppendUID: false) } == nil)
    }

    @Test func selectNeedsExistsFlagsAndUIDValidity() throws {
        let complete = try exchange([
            "* 172 EXISTS", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [UIDVALIDITY 3857529045] UIDs valid", "a1 OK [READ-WRITE] SELECT completed",
        ])
        var exists: UInt32 = 0
        #expect(failureKind { exists = try ResponseValidator.validateSelect(complete) } == nil)
        #expect(exists == 172)
        let noExists = try exchange(["* FLAGS (\\Seen)", "* OK [UIDVALIDITY 1] ok", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateSelect(noExists) } == "invalid SELECT")
    }

    @Test func statusMustAnswerEveryAttributeForTheMailbox() throws {
        let answered = try exchange(["* STATUS INBOX (MESSAGES 3 UIDNEXT 9 UNSEEN 1)", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateStatus(answered, mailbox: .inbox, attributes: [.messages, .uidNext, .unseen]) } == nil)
        let partial = try exchange(["* STATUS INBOX (MESSAGES 3)", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateStatus(partial, mailbox: .inbox, attributes: [.messages, .uidNext]) } == "invalid STATUS")
        let other = try exchange(["* STATUS Sent (MESSAGES 3 UIDNEXT 4)", "a1 OK done"])
        #expect(failureKind { _ = try ResponseValidator.validateStatus(other, mailbox: .inbox, attributes: [.messages]) } == "invalid STATUS")
    }

    @Test func listMustNameKnownMailboxes() throws {
        let listed = try exchange(["* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST () \"/\" mix-4096-1", "a1 OK done"])
        #expect(failureKind { try ResponseValidator.validateList(listed, mustInclude: [.inbox, MailboxName("mix-4096-1")]) } == nil)
        #expect(failureKind { try ResponseValidator.validateList(listed, mustInclude: [MailboxName("mix-4096-2")]) } == "invalid LIST")
    }
}

@Suite("Mailbox view")
struct MailboxViewTests {
    @Test func followsExistsAndExpunge() throws {
        var view = MailboxView(exists: 5)
        var expunged = 0
        #expect(failureKind { expunged = try view.apply([.expunge(3), .expunge(3), .exists(4)]) } == nil)
        #expect(expunged == 2)
        #expect(view.exists == 4)
    }

    @Test func rejectsExistsShrinkingWithoutExpunge() {
        var view = MailboxView(exists: 5)
        #expect(failureKind { try view.apply([.exists(4)]) } == "inconsistent EXISTS")
    }

    @Test(arguments: [0 as UInt32, 6])
    func rejectsExpungeOfAMissingMessage(number: UInt32) {
        var view = MailboxView(exists: 5)
        #expect(failureKind { try view.apply([.expunge(number)]) } == "inconsistent EXPUNGE")
    }
}
