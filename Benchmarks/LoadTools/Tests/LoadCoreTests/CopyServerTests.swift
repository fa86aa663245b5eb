import Foundation
import IMAPCodec
import Testing
@testable import LoadCore

/// `serve-copy` gives each user the clients log in as files of its own, with the bytes
/// `fetch-bodies` seeds into that user's mailbox, so the copy moves the server's
/// working set; the fetch-bodies client's own validation passes against it.
@Suite struct CopyServerTests {
    @Test func usersAreTheOnesFetchBodiesSeeds() throws {
        var options = LoadOptions(workload: .fetchBodies)
        for (clients, users) in [(10, 10), (4, 10), (12, 5), (1, 1)] {
            options.clients = clients
            options.users = users
            let seeded = FetchBodiesWorkload(session: try Session(options: options)).seedTargets().map(\.user)
            #expect(CopyServer.users(options) == seeded)
        }
    }

    @Test func eachUserFetchesItsOwnMessagesWithTheSeededBytes() throws {
        var options = LoadOptions(workload: .fetchBodies)
        options.port = 0
        options.clients = 3
        options.users = 10
        options.messages = 2
        options.messageSize = 2000
        options.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("copy-server-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        let server = CopyServer(options: options)
        #expect(server.start() == nil)
        // Serves until the test process ends (it has no stop); its thread waits in accept.
        Thread.detachNewThread { server.acceptForever() }
        options.port = server.port

        for user in ["load1", "load3"] {
            let connection = try Session(options: options).open(user: user)
            defer { connection.close() }
            let count = try ResponseValidator.validateSelect(try connection.execute(.examine(MailboxName("bodies-2000"), [])))
            #expect(count == 2)
            for number: UInt32 in 1...2 {
                let exchange = try connection.execute(.fetch(FetchCommand(
                    byUID: false, set: .ranges([SequenceRange(.number(number))]),
                    attributes: [.bodySection(.whole, partial: nil, peek: true)])))
                #expect(try ResponseValidator.validateFetch(exchange, sequenceNumbers: [number], items: [.body], bodySize: 2000) == 2000)
                let body = exchange.untagged.compactMap { response -> [UInt8]? in
                    guard case let .fetch(_, attributes) = response else { return nil }
                    for case let .bodySection(_, _, .bytes(data)) in attributes { return data }
                    return nil
                }.first
                #expect(body == MessageFactory.message(size: 2000, serial: Int(number), user: user))
            }
        }
        // A user no client logs in as has no files.
        #expect(throws: LoadError.self) { try Session(options: options).open(user: "load4") }
    }
}
