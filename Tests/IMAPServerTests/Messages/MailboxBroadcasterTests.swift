import MailStore
import Synchronization
import Testing
@testable import IMAPServer

@Suite struct MailboxBroadcasterTests {
    /// Held by the suite instance (one per test) so the store outlives every use.
    private let scratch: ScratchStore
    init() throws { scratch = try ScratchStore() }

    /// Waits (bounded in count, not in time) until `inbox` has something.
    private func next(_ inbox: ChangeInbox) async -> ChangeInbox.Delivery? {
        for _ in 0..<1000 {
            if let delivery = inbox.take() { return delivery }
            await inbox.waitForDelivery()
        }
        return nil
    }

    @Test func oneAppendReachesEveryIdler() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil)
        let subscriptions = (0..<200).map { _ in broadcaster.subscribe(to: inbox) }
        #expect(broadcaster.watchedMailboxCount == 1)
        #expect(broadcaster.subscriberCount(of: inbox) == 200)
        let uid = try await inbox.append([NewMessage(plainMessage)])[0]
        for subscription in subscriptions {
            guard case let .changes(changes)? = await next(subscription.inbox) else {
                Issue.record("an idler heard nothing")
                continue
            }
            #expect(changes.count == 1)
            guard case let .appended(uids, _) = changes[0] else {
                Issue.record("expected an append, got \(changes)")
                continue
            }
            #expect(uids == UIDSet(uids: [uid]))
        }
        for subscription in subscriptions { subscription.cancel() }
        #expect(broadcaster.watchedMailboxCount == 0)
    }

    /// Idlers woken by one change share one round: one view of the mailbox (holding
    /// the change) and one \Recent claim, the first session's; the others claim nothing.
    @Test func idlersOfOneChangeShareOneRound() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil)
        let subscriptions = (0..<3).map { _ in broadcaster.subscribe(to: inbox) }
        let heard = Heard()
        for subscription in subscriptions {
            #expect(subscription.inbox.observe { round in
                let view = round?.view(of: inbox)
                let claimed = round?.claimRecent(view?.uids[...] ?? [], in: inbox, readOnly: false) ?? UIDSet()
                heard.entries.withLock { $0.append((round.map(ObjectIdentifier.init), view?.count ?? -1, claimed)) }
            } == false)
        }
        let uid = try await inbox.append([NewMessage(plainMessage)])[0]
        for subscription in subscriptions { _ = await next(subscription.inbox) }
        let rounds = try await heard.awaitEntries(3)
        #expect(rounds.count == 3)
        #expect(rounds.allSatisfy { $0.round != nil && $0.round == rounds.first?.round })
        #expect(rounds.allSatisfy { $0.count == 1 })
        #expect(rounds.map(\.claimed) == [UIDSet(uids: [uid]), UIDSet(), UIDSet()])
        for subscription in subscriptions {
            _ = subscription.inbox.observe(nil)
            subscription.cancel()
        }
    }

    /// A fan-out in slices (the loop gets a turn between them) still reaches every
    /// idler once, in one round whose \Recent claim is made once; each slice takes
    /// the view afresh.
    @Test func aFanoutInSlicesReachesEveryIdlerOnce() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil, fanoutSlice: 2)
        let subscriptions = (0..<7).map { _ in broadcaster.subscribe(to: inbox) }
        let heard = Heard()
        for subscription in subscriptions {
            _ = subscription.inbox.observe { round in
                let view = round?.view(of: inbox)
                let claimed = round?.claimRecent(view?.uids[...] ?? [], in: inbox, readOnly: false) ?? UIDSet()
                heard.entries.withLock { $0.append((round.map(ObjectIdentifier.init), view?.count ?? -1, claimed)) }
            }
        }
        let uid = try await inbox.append([NewMessage(plainMessage)])[0]
        for subscription in subscriptions {
            guard case let .changes(changes)? = await next(subscription.inbox) else {
                Issue.record("an idler heard nothing")
                continue
            }
            #expect(changes.count == 1)
        }
        let rounds = try await heard.awaitEntries(7)
        #expect(rounds.count == 7)
        #expect(Set(rounds.map(\.round)).count == 1 && rounds.first?.round != nil)
        #expect(rounds.allSatisfy { $0.count == 1 })
        #expect(rounds.map(\.claimed).filter { !$0.isEmpty } == [UIDSet(uids: [uid])])
        for subscription in subscriptions {
            _ = subscription.inbox.observe(nil)
            subscription.cancel()
        }
    }

    /// A subscriber that never reads overflows its own inbox and is told to
    /// resync; a reading subscriber beside it gets every change.
    @Test func slowSubscriberIsResyncedAndDelaysNobody() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil, inboxCapacity: 4)
        let slow = broadcaster.subscribe(to: inbox)
        let reader = broadcaster.subscribe(to: inbox)
        var heard = 0
        for _ in 0..<10 {
            _ = try await inbox.append([NewMessage(plainMessage)])
            guard case let .changes(changes)? = await next(reader.inbox) else {
                Issue.record("the reader heard nothing")
                return
            }
            heard += changes.count
        }
        #expect(heard == 10)
        // Give the pump the chance to deliver the tenth change to the slow inbox too.
        #expect(await next(slow.inbox) == .resync)
        #expect(slow.inbox.take() == nil)
        slow.cancel()
        reader.cancel()
    }

    @Test func closingTheMailboxClosesInboxes() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil)
        let subscription = broadcaster.subscribe(to: inbox)
        await inbox.close()
        #expect(await next(subscription.inbox) == .closed)
    }

    @Test func cancelledWaitReturns() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil)
        let subscription = broadcaster.subscribe(to: inbox)
        let waiter = Task { await subscription.inbox.waitForDelivery() }
        waiter.cancel()
        await waiter.value
        #expect(subscription.inbox.take() == nil)
        subscription.cancel()
    }
}

extension MailboxBroadcasterTests {
    /// The pump keeps its list of inboxes between changes: a subscriber that joins
    /// after one change hears the next and not the earlier one, one that leaves
    /// hears nothing more, and those that stay hear both (slice boundaries
    /// included: more subscribers than one slice).
    @Test func subscribersJoiningAndLeavingBetweenChangesHearExactlyTheirShare() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil, fanoutSlice: 7)
        let staying = (0..<20).map { _ in broadcaster.subscribe(to: inbox) }
        let leaving = (0..<5).map { _ in broadcaster.subscribe(to: inbox) }
        let first = try await inbox.append([NewMessage(plainMessage)])[0]
        for subscription in staying + leaving {
            guard case let .changes(changes)? = await next(subscription.inbox), case let .appended(uids, _) = changes.first else {
                Issue.record("a subscriber missed the first change")
                continue
            }
            #expect(changes.count == 1 && uids == UIDSet(uids: [first]))
        }
        for subscription in leaving { subscription.cancel() }
        let joining = (0..<5).map { _ in broadcaster.subscribe(to: inbox) }
        let second = try await inbox.append([NewMessage(plainMessage)])[0]
        for subscription in staying + joining {
            guard case let .changes(changes)? = await next(subscription.inbox), case let .appended(uids, _) = changes.first else {
                Issue.record("a subscriber missed the second change")
                continue
            }
            #expect(changes.count == 1 && uids == UIDSet(uids: [second]))
        }
        for subscription in leaving { #expect(subscription.inbox.take() == .closed) }
        #expect(broadcaster.subscriberCount(of: inbox) == staying.count + joining.count)
        for subscription in staying + joining { subscription.cancel() }
        #expect(broadcaster.watchedMailboxCount == 0)
    }

    /// Many subscriptions come and go in any order: the counts stay exact, a change
    /// reaches exactly those still subscribed, and the last one out ends the watch.
    @Test func subscriptionsComeAndGoInAnyOrder() async throws {
        let inbox = try await scratch.inbox()
        let broadcaster = MailboxBroadcaster(executor: nil)
        let subscriptions = (0..<1000).map { _ in broadcaster.subscribe(to: inbox) }
        for (index, subscription) in subscriptions.enumerated() where index % 3 == 0 { subscription.cancel() }
        let kept = subscriptions.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        #expect(broadcaster.subscriberCount(of: inbox) == kept.count)
        _ = try await inbox.append([NewMessage(plainMessage)])
        for subscription in kept {
            guard case .changes? = await next(subscription.inbox) else {
                Issue.record("a subscriber heard nothing")
                break
            }
        }
        for (index, subscription) in subscriptions.enumerated() where index % 3 == 0 {
            #expect(subscription.inbox.take() == .closed)
        }
        for subscription in kept.reversed() { subscription.cancel() }
        #expect(broadcaster.subscriberCount(of: inbox) == 0)
        #expect(broadcaster.watchedMailboxCount == 0)
    }
}

/// What the observers of ``MailboxBroadcasterTests/idlersOfOneChangeShareOneRound()`` saw.
private final class Heard: Sendable {
    typealias Entry = (round: ObjectIdentifier?, count: Int, claimed: UIDSet)
    let entries = Mutex<[Entry]>([])

    /// The entries once `count` have come, or what came within about 5 s. An inbox
    /// wakes its waiter before it calls its observer, so the last observer call may
    /// still be on its way when the last waiter has its change.
    func awaitEntries(_ count: Int) async throws -> [Entry] {
        for _ in 0..<1000 where entries.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(5))
        }
        return entries.withLock { $0 }
    }
}
