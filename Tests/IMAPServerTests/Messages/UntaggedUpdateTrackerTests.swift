import IMAPCodec
import MailStore
import Testing
@testable import IMAPServer

@Suite struct UntaggedUpdateTrackerTests {
    /// Held by the suite instance (one per test) so the store outlives every use.
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    private func mailbox(count: Int) async throws -> Mailbox {
        let inbox = try await scratch.inbox()
        _ = try await inbox.append((0..<count).map { _ in NewMessage(plainMessage) })
        return inbox
    }

    private func lines(_ responses: [UntaggedResponse]) -> [String] {
        responses.map { wire($0).replacingOccurrences(of: "\r\n", with: "") }
    }

    /// RFC 9051 7.4.1's example: expunging 3, 4, 7 and 11 of 11 messages reads
    /// `3 3 5 8` to the client, each number counted after the ones before.
    @Test func expungesRenumberAscending() async throws {
        let inbox = try await mailbox(count: 11)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        let removed = try await inbox.remove(uids: UIDSet(uids: [3, 4, 7, 11]))
        tracker.record(.expunged(removed, modSeq: 0))
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true))
            == ["* 3 EXPUNGE", "* 3 EXPUNGE", "* 5 EXPUNGE", "* 8 EXPUNGE"])
        #expect(tracker.count == 7)
        #expect(tracker.sequenceNumber(of: 12) == nil)
        #expect(tracker.sequenceNumber(of: 10) == 7)
    }

    /// With QRESYNC (RFC 7162 3.2.10.2) the same expunges are one VANISHED of the
    /// UIDs the client knows, and only those; the numbering moves as with EXPUNGE.
    @Test func vanishedNamesOnlyKnownUIDs() async throws {
        let inbox = try await mailbox(count: 11)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        _ = try await inbox.append([NewMessage(plainMessage)])  // UID 12: never told of
        let removed = try await inbox.remove(uids: UIDSet(uids: [3, 4, 7, 11, 12]))
        tracker.record(.expunged(removed, modSeq: 0))
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true, vanished: true)) == ["* VANISHED 3:4,7,11"])
        #expect(tracker.count == 7)
        #expect(tracker.sequenceNumber(of: 10) == 7)
        #expect(lines(tracker.expungeNow(try await inbox.remove(uids: UIDSet(uids: [1])), vanished: true)) == ["* VANISHED 1"])
        #expect(tracker.uid(atSequence: 1) == 2)
    }

    /// With CONDSTORE every flag update carries UID and MODSEQ (RFC 7162 3.2.4).
    @Test func condStoreFlagUpdatesCarryUIDAndModSeq() async throws {
        let inbox = try await mailbox(count: 2)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        let other = try await inbox.store(.add(MessageFlags(.flagged)), uids: UIDSet(uids: [2]))
        tracker.record(.flagsChanged(other.changed, modSeq: other.modSeq ?? 0))
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: false, condStore: true))
            == ["* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (\(other.modSeq ?? 0)))"])
    }

    /// RFC 9051 7.5.1: no EXPUNGE during FETCH/STORE/SEARCH; numbers keep their
    /// meaning until the next command that may hear it.
    @Test func expungesWaitForAPermittedCommand() async throws {
        let inbox = try await mailbox(count: 3)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        tracker.record(.expunged(try await inbox.remove(uids: UIDSet(uids: [2])), modSeq: 0))
        _ = try await inbox.append([NewMessage(plainMessage)])
        // During FETCH: only the new message, counted with the one still numbered.
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: false)) == ["* 4 EXISTS"])
        #expect(tracker.uid(atSequence: 2) == 2)
        #expect(tracker.isPendingExpunge(2))
        // At NOOP.
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true)) == ["* 2 EXPUNGE"])
        #expect(tracker.uid(atSequence: 3) == 4)
    }

    @Test func flagChangesByOthersButNotOwnEcho() async throws {
        let inbox = try await mailbox(count: 3)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        let other = try await inbox.store(.add(MessageFlags(.flagged)), uids: UIDSet(uids: [1]))
        tracker.record(.flagsChanged(other.changed, modSeq: other.modSeq ?? 0))
        let own = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet(uids: [3]))
        tracker.record(.flagsChanged(own.changed, modSeq: own.modSeq ?? 0))
        tracker.noteReported(uid: 3, modSeq: own.modSeq ?? 0)
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: false, includeUID: true))
            == ["* 1 FETCH (UID 1 FLAGS (\\Flagged))"])
        #expect(tracker.flush(view: inbox.view(), allowExpunge: true).isEmpty)
        // An echo that arrives only after a later command is still recognised.
        let late = try await inbox.store(.add(MessageFlags(.seen)), uids: UIDSet(uids: [2]))
        tracker.noteReported(uid: 2, modSeq: late.modSeq ?? 0)
        #expect(tracker.flush(view: inbox.view(), allowExpunge: true).isEmpty)
        tracker.record(.flagsChanged(late.changed, modSeq: late.modSeq ?? 0))
        #expect(tracker.flush(view: inbox.view(), allowExpunge: true).isEmpty)
    }

    @Test func rev1SeesRecent() async throws {
        let inbox = try await mailbox(count: 1)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        _ = try await inbox.append([NewMessage(plainMessage), NewMessage(plainMessage)])
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true, rev1: true, claimRecent: { UIDSet(uids: $0) }))
            == ["* 3 EXISTS", "* 2 RECENT"])
        #expect(tracker.recentUIDs == UIDSet(uids: [2, 3]))
    }

    /// After an overflow the tracker trusts the index: what vanished is expunged,
    /// every remaining message's flags are sent again.
    @Test func resyncAfterLostEvents() async throws {
        let inbox = try await mailbox(count: 3)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        _ = try await inbox.remove(uids: UIDSet(uids: [1]))
        _ = try await inbox.append([NewMessage(plainMessage)])
        tracker.markNeedsResync()
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true))
            == ["* 1 EXPUNGE", "* 3 EXISTS", "* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())"])
        #expect(tracker.knownUIDs == [2, 3, 4])
    }

    @Test func gapsInEventPositionsForceResync() async throws {
        let inbox = try await mailbox(count: 2)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        tracker.record(.appended(UIDSet(), highestModSeq: 0), position: 1)
        _ = try await inbox.remove(uids: UIDSet(uids: [2]))
        tracker.record(.appended(UIDSet(), highestModSeq: 0), position: 5)
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true)) == ["* 2 EXPUNGE", "* 1 FETCH (FLAGS ())"])
    }

    /// Two sessions on one mailbox, each with its own numbering, through the
    /// store's change stream: one expunges and appends, the other hears it with
    /// the right numbers only when it may.
    @Test func twoSessionsSeeEachOthersChanges() async throws {
        let inbox = try await mailbox(count: 4)
        let events = inbox.changes()
        var iterator = events.makeAsyncIterator()
        var first = UntaggedUpdateTracker(view: inbox.view())
        var second = UntaggedUpdateTracker(view: inbox.view())
        // First session: STORE \Deleted on 2 and 3, EXPUNGE, APPEND.
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet(uids: [2, 3]))
        let expunged = try await inbox.expunge()
        #expect(lines(first.expungeNow(expunged)) == ["* 2 EXPUNGE", "* 2 EXPUNGE"])
        _ = try await inbox.append([NewMessage(plainMessage)])
        for _ in 0..<3 {
            let event = try #require(await iterator.next())
            first.record(event)
            second.record(event)
        }
        #expect(lines(first.flush(view: inbox.view(), allowExpunge: true)) == ["* 3 EXISTS"])
        // Flags of messages already gone from the index are not worth sending.
        #expect(lines(second.flush(view: inbox.view(), allowExpunge: false)) == ["* 5 EXISTS"])
        #expect(lines(second.flush(view: inbox.view(), allowExpunge: true)) == ["* 2 EXPUNGE", "* 2 EXPUNGE"])
        #expect(first.knownUIDs == second.knownUIDs)
    }

    /// Whether two UID arrays share one buffer (not merely equal contents).
    private func sameStorage(_ a: [UID], _ b: [UID]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    }

    /// After an update the session's known UIDs are the index's own array, not a
    /// private copy; while an expunge is still unreported they stay the session's.
    @Test func knownUIDsShareTheIndexArrayOnceCurrent() async throws {
        let inbox = try await mailbox(count: 50)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        _ = try await inbox.append([NewMessage(plainMessage)])
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true)) == ["* 51 EXISTS"])
        #expect(sameStorage(tracker.knownUIDs, inbox.view().uids))
        // An expunge held back (during FETCH) keeps a private, longer list.
        tracker.record(.expunged(try await inbox.remove(uids: UIDSet(uids: [7])), modSeq: 0))
        _ = try await inbox.append([NewMessage(plainMessage)])
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: false)) == ["* 52 EXISTS"])
        #expect(tracker.count == 52)
        #expect(!sameStorage(tracker.knownUIDs, inbox.view().uids))
        #expect(tracker.uid(atSequence: 7) == 7)
        // Reported: shared again, and equal to the index.
        #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true)) == ["* 7 EXPUNGE"])
        #expect(tracker.knownUIDs == inbox.view().uids)
        #expect(sameStorage(tracker.knownUIDs, inbox.view().uids))
    }
}

extension UntaggedUpdateTrackerTests {
    /// New messages extend what the client knows, whether it knew exactly the
    /// index (it then shares the index's UID list) or still numbers an expunged
    /// message it has not been told about (it then keeps its own list).
    @Test(arguments: [false, true])
    func appendsExtendTheKnownListExactly(withUnreportedExpunge: Bool) async throws {
        let inbox = try await mailbox(count: 3)
        var tracker = UntaggedUpdateTracker(view: inbox.view())
        if withUnreportedExpunge {
            tracker.record(.expunged(try await inbox.remove(uids: UIDSet(uids: [2])), modSeq: 0))
        }
        for round in 1...3 {
            _ = try await inbox.append([NewMessage(plainMessage)])
            #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: false)) == ["* \(3 + round) EXISTS"])
            let known = withUnreportedExpunge ? [1, 2, 3] + (1...round).map { UID(3 + $0) } : inbox.view().uids
            #expect(tracker.knownUIDs == known)
        }
        if withUnreportedExpunge {
            #expect(lines(tracker.flush(view: inbox.view(), allowExpunge: true)) == ["* 2 EXPUNGE"])
            #expect(tracker.knownUIDs == inbox.view().uids)
        }
    }
}
