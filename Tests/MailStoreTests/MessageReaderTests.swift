import Testing
@testable import MailStore

/// `MessageReader` reads many messages of one view a pack region at a time;
/// every message must read back exactly as `openMessage` gives it.
@Suite struct MessageReaderTests {
    /// Bodies of assorted sizes: small ones share regions, some straddle a region's
    /// end, one is larger than a region, one goes to a file of its own.
    static func messages() -> [[UInt8]] {
        (0..<120).map { index in
            let size = switch index % 7 {
            case 0: 3000
            case 3: 9000
            default: 40 + index
            }
            return makeMessage(subject: "message \(index)", body: String(repeating: "x", count: size))
        } + [
            makeMessage(subject: "large", body: String(repeating: "L", count: MessageFile.copiedBodyLimit + 100)),
            makeMessage(subject: "own file", body: String(repeating: "O", count: 70 * 1024)),
        ]
    }

    @Test func everyMessageReadsBackAsOpenMessageGivesIt() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, options: StoreOptions(journaledBodyLimit: 64 * 1024))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let messages = Self.messages()
        for message in messages { _ = try await inbox.append(message) }
        let view = inbox.view()
        let reader = inbox.messageReader(for: view)
        // In order (regions grow), then backwards (each a fresh region).
        for uid in view.uids + view.uids.reversed() {
            let file = try #require(try reader.message(uid: uid)?.get())
            let expected = try inbox.openMessage(uid: uid)
            #expect(file.body == messages[Int(uid) - 1], "uid \(uid)")
            #expect(file.structure == expected.structure, "uid \(uid)")
            #expect(file.bodyPath == expected.bodyPath && file.bodyOffset == expected.bodyOffset, "uid \(uid)")
        }
        #expect(reader.message(uid: 10_000).map { _ in true } == nil, "no such message in the view")
        await store.close()
    }

    /// A scan past the largest region maps the rest of the pack.
    @Test func aLongScanReadsBackEveryMessage() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let messages = (0..<400).map { makeMessage(subject: "scan \($0)", body: String(repeating: "s", count: 4000 + $0)) }
        for message in messages { _ = try await inbox.append(message) }
        let view = inbox.view()
        let reader = inbox.messageReader(for: view)
        for uid in view.uids {
            let file = try #require(try reader.message(uid: uid)?.get())
            #expect(file.body == messages[Int(uid) - 1], "uid \(uid)")
            #expect(file.structure == (try inbox.openMessage(uid: uid)).structure, "uid \(uid)")
        }
        await store.close()
    }

    @Test func aMessageExpungedAfterTheViewStillReadsFromItsOpenPack() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        for index in 0..<5 { _ = try await inbox.append(makeMessage(subject: "m\(index)")) }
        let view = inbox.view()
        let reader = inbox.messageReader(for: view)
        _ = try #require(try reader.message(uid: 1)?.get())
        _ = try await inbox.expunge(uids: UIDSet(uids: [2, 3, 4, 5]))
        try await inbox.compact()
        // The view still names uid 3; the pack stays readable through the reader.
        let file = try #require(try reader.message(uid: 3)?.get())
        #expect(file.body == makeMessage(subject: "m2"))
        await store.close()
    }

    /// A reader that moves between packs keeps each pack it read open (the last one
    /// outside its table): reading back and forth finds every body, also after a
    /// compaction removed a pack the reader had left for another.
    @Test func readingBackAndForthBetweenPacksKeepsEachOpen() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let messages = (0..<6).map { makeMessage(subject: "pack \($0 / 3) m\($0)") }
        for message in messages[0..<3] { _ = try await inbox.append(message) }
        try await inbox.compact()  // a new journal: messages 4-6 land in another pack
        for message in messages[3...] { _ = try await inbox.append(message) }
        let view = inbox.view()
        let reader = inbox.messageReader(for: view)
        let first = try #require(try reader.message(uid: 1)?.get())
        let later = try #require(try reader.message(uid: 4)?.get())
        #expect(first.bodyPath != later.bodyPath, "the two messages lie in different packs")
        for uid: UID in [1, 4, 2, 5, 3, 6] {
            let file = try #require(try reader.message(uid: uid)?.get())
            #expect(file.body == messages[Int(uid) - 1], "uid \(uid)")
        }
        // The reader left the first pack for the second; the first goes from the mailbox.
        _ = try #require(try reader.message(uid: 5)?.get())
        _ = try await inbox.expunge(uids: UIDSet(uids: [1, 2, 3]))
        try await inbox.compact()
        for uid: UID in [2, 6, 3] {
            let file = try #require(try reader.message(uid: uid)?.get())
            #expect(file.body == messages[Int(uid) - 1], "uid \(uid) after the compaction")
        }
        await store.close()
    }
}
