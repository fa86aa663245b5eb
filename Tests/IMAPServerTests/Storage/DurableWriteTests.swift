import Glibc
import MailStore
import ShardRuntime
import Testing
@testable import IMAPServer

/// What a tagged OK for APPEND, STORE or EXPUNGE promises: the change is in the
/// mailbox's files by then (synced through the shard's ring, `ShardFileIO`), so a
/// store opened afresh on the same data, without the server closing anything (as
/// after a kill -9), finds every acknowledged change.
@Suite struct DurableWriteTests {
    @Test func acknowledgedWritesOfConcurrentSessionsAreInTheFiles() async throws {
        // One shard: both users' flushes go through the same ring, in shared turns.
        let server = try await MessageTestServer(shards: 1)
        let users = ["alice", "bob"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for user in users {
                group.addTask {
                    let client = try await server.client(user: user)
                    for index in 1...5 {
                        let message = Array("From: \(user)@example.com\r\nSubject: \(index)\r\n\r\nBody \(index)\r\n".utf8)
                        let answer = try await client.append(tag: "A\(index)", message)
                        #expect(answer.last?.hasPrefix("A\(index) OK") == true, "\(answer)")
                    }
                    #expect(try await client.run("F STORE 1:3 +FLAGS (\\Flagged)").last?.hasPrefix("F OK") == true)
                    #expect(try await client.run("D STORE 2 +FLAGS (\\Deleted)").last?.hasPrefix("D OK") == true)
                    #expect(try await client.run("X EXPUNGE").last?.hasPrefix("X OK") == true)
                }
            }
            try await group.waitForAll()
        }
        // Everything above was acknowledged; read it back through a second store.
        let reopened = try MailStore(root: server.directory + "/data")
        for user in users {
            let view = try await reopened.user(user).mailbox(named: "INBOX").view()
            #expect(view.uids == [1, 3, 4, 5], "\(user): appends and the expunge survive")
            #expect(view.message(uid: 1)?.flags.system.contains(.flagged) == true, "\(user): the STORE survives")
            #expect(view.message(uid: 3)?.flags.system.contains(.flagged) == true)
            #expect(view.message(uid: 4)?.flags.system.contains(.flagged) == false)
        }
        await server.stop()
    }

    @Test func aFailedFlushOnTheRingIsAStoreError() async throws {
        let runtime = try ShardRuntime(settings: RuntimeSettings(shards: 1, pinThreads: false))
        let io = ShardFileIO()
        let outcome = await runtime.shards[0].run { () async -> StoreError? in
            do {
                try await io.sync(-1)
                return nil
            } catch {
                return error as? StoreError
            }
        }
        #expect(outcome == .io(operation: "fdatasync", path: "fd -1", errno: EBADF))
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}
