import MailStore
import Testing
@testable import IMAPServer

/// Where HomeShardPlacement puts a user's sessions, and that every session a
/// server placed is released however it ends.
@Suite struct HomeShardPlacementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let homeShardSessions: Int
        let shards: Int
        let home: Int
        /// (accepted shard, expected shard) for successive sessions of one user.
        let sessions: [(accepted: Int, expected: Int)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "0 keeps every session at home", homeShardSessions: 0, shards: 2, home: 1,
             sessions: [(0, 1), (0, 1), (1, 1), (0, 1)]),
        Case(name: "below the threshold every session goes home", homeShardSessions: 3, shards: 2, home: 0,
             sessions: [(1, 0), (1, 0), (0, 0)]),
        Case(name: "past the threshold the accepting shard keeps a session while it is among the fewest",
             homeShardSessions: 1, shards: 2, home: 0,
             sessions: [(1, 0), (1, 1), (0, 0), (1, 1), (1, 1), (1, 0)]),
        Case(name: "past the threshold a session goes to the shard with the fewest", homeShardSessions: 2, shards: 3,
             home: 2, sessions: [(0, 2), (0, 2), (2, 0), (2, 1), (1, 1), (1, 0), (0, 0), (0, 1)]),
    ]

    @Test(arguments: cases)
    func placesSessions(_ test: Case) {
        let placement = HomeShardPlacement(homeShardSessions: test.homeShardSessions, shardCount: test.shards)
        for (number, session) in test.sessions.enumerated() {
            let chosen = placement.place(user: "alice", home: test.home, accepted: session.accepted)
            #expect(chosen == session.expected, "session \(number)")
        }
        #expect(placement.sessions(of: "alice").reduce(0, +) == test.sessions.count)
        #expect(placement.sessions(of: "bob") == Array(repeating: 0, count: test.shards))
    }

    @Test func usersAreCountedApartAndForgottenWhenTheirLastSessionEnds() {
        let placement = HomeShardPlacement(homeShardSessions: 1, shardCount: 2)
        #expect(placement.place(user: "alice", home: 0, accepted: 1) == 0)
        #expect(placement.place(user: "bob", home: 0, accepted: 1) == 0)
        #expect(placement.place(user: "alice", home: 0, accepted: 0) == 1)
        #expect(placement.sessions(of: "alice") == [1, 1])
        #expect(placement.sessions(of: "bob") == [1, 0])
        placement.release(user: "alice", shard: 1)
        // Shard 1 is now the one with the fewest again.
        #expect(placement.place(user: "alice", home: 0, accepted: 0) == 1)
        placement.release(user: "alice", shard: 0)
        placement.release(user: "alice", shard: 1)
        placement.release(user: "bob", shard: 0)
        #expect(placement.userCount == 0)
    }

    /// How a logged-in session can end; each must stop counting it.
    enum Ending: String, CaseIterable, Sendable {
        case logout, clientCloses, clientClosesInIdle, autologout, serverShutdown
    }

    @Test(arguments: Ending.allCases)
    func everyEndingReleasesTheSession(_ ending: Ending) async throws {
        let server = try await MessageTestServer { settings in
            settings.homeShardSessions = 1
            if ending == .autologout { settings.authenticatedTimeout = .milliseconds(200) }
        }
        let placement = server.server.context.placement
        // Never logged in: never counted, and its end must not release anything.
        let anonymous = Transcript(try TranscriptClient(port: server.port))
        _ = await anonymous.readLine()
        var sessions: [Transcript] = []
        for _ in 0..<3 {
            guard ending == .autologout else {
                sessions.append(try await server.client())
                continue
            }
            // Only the login: a slow machine may autologout before a SELECT answers.
            let session = Transcript(try TranscriptClient(port: server.port))
            _ = await session.readLine()
            try session.client.send("L LOGIN alice secret")
            #expect(await session.readLine()?.hasPrefix("L OK ") == true)
            sessions.append(session)
        }
        // The second is off home; the third is wherever it was accepted. (On a slow
        // machine an autologged-out session may be gone before the next logs in,
        // which then goes home: neither holds for that case.)
        if ending != .autologout {
            #expect((1...2).contains(server.server.homeShardMoves.spread))
            #expect(placement.sessions(of: "alice").sorted() == [1, 2])
        }
        for session in sessions {
            switch ending {
            case .logout:
                #expect(try await session.run("O LOGOUT") == ["* BYE Logging out", "O OK LOGOUT completed"])
            case .clientCloses:
                session.client.disconnect()
            case .clientClosesInIdle:
                try session.client.send("I IDLE")
                #expect(await session.readLine() == "+ idling")
                session.client.disconnect()
            case .autologout, .serverShutdown:
                break
            }
        }
        anonymous.client.disconnect()
        if ending == .serverShutdown {
            await server.server.shutdown(gracePeriod: .seconds(1))
        }
        // Sessions end asynchronously; wait for the count (bounded, not timed).
        for _ in 0..<3000 where placement.userCount != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(placement.sessions(of: "alice") == [0, 0])
        #expect(placement.userCount == 0)
        if ending == .serverShutdown {
            try? PosixFileIO().removeTree(server.directory)
        } else {
            await server.stop()
        }
    }
}
