import Glibc
import Testing
@testable import MailStore

/// A mapped `MessageFile` keeps its body file open (`bodyDescriptor`), so a FETCH
/// splices from it without opening the path again; the descriptor reads the body at
/// `bodyOffset` for packs and own files alike, and goes on doing so after the path is
/// unlinked (pack compaction). A small body read into memory holds no descriptor.
@Suite struct MessageFileDescriptorTests {
    /// The body as `pread` at `bodyOffset` of `bodyDescriptor` returns it.
    func bytesThroughDescriptor(_ file: MessageFile) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: file.bodySize)
        let got = try bytes.withUnsafeMutableBytes { try PosixFileIO().read(file.bodyDescriptor, into: $0, at: Int64(file.bodyOffset)) }
        #expect(got == file.bodySize)
        return bytes
    }

    /// (body length, journaled body limit, descriptor expected, own file expected)
    static let cases: [(Int, Int, Bool, Bool)] = [
        (2_000, 128 << 10, false, false),      // small, in a pack: read into memory
        (40_000, 128 << 10, true, false),      // mapped from a pack
        (40_000, 1_000, true, true),           // a file of its own
    ]

    @Test(arguments: cases)
    func theDescriptorReadsTheBody(length: Int, journaledLimit: Int, hasDescriptor: Bool, ownFile: Bool) async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, options: StoreOptions(journaledBodyLimit: journaledLimit))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let message = makeMessage(body: String(repeating: "y", count: length))
        _ = try await inbox.append(makeMessage(subject: "first"))
        _ = try await inbox.append(message)
        let file = try inbox.openMessage(uid: 2)
        #expect(file.body == message)
        #expect((file.bodyDescriptor >= 0) == hasDescriptor)
        #expect((file.bodyPath == inbox.messagePath(2)) == ownFile)
        if hasDescriptor { #expect(try bytesThroughDescriptor(file) == message) }
        await store.close()
    }

    /// A large body in a pack is mapped only when read; its structure is read at
    /// open, also when it is longer than the first read takes (many parts).
    @Test(arguments: [1, 120])
    func aLazilyMappedBodyComesBackWithItsStructure(parts: Int) async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        var text = "From: a@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        text += "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        for part in 0..<parts {
            text += "--b\r\nContent-Type: text/plain; name=\"part\(part).txt\"\r\n\r\n"
            text += String(repeating: "line \(part)\r\n", count: 30_000 / parts / 8 + 1)
        }
        text += "--b--\r\n"
        let message = Array(text.utf8)
        _ = try await inbox.append(message)
        let structure = message.withUnsafeBytes { MIMEMessageAnalyzer().analyze($0).structure }
        #expect(parts == 1 || structure.count > 4 + MessageFile.structureAllowance, "the second read is covered")
        let file = try inbox.openMessage(uid: 1)
        #expect(file.bodyDescriptor >= 0 && file.bodyPath.hasPrefix(inbox.packsPath))
        #expect(file.structure == structure)
        #expect(file.bytes(in: 10..<20) == Array(message[10..<20]))
        #expect(file.body == message)
        await store.close()
    }

    @Test func theDescriptorOutlivesThePacksPath() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        let message = makeMessage(body: String(repeating: "z", count: 50_000))
        _ = try await inbox.append(message)
        _ = try await inbox.append(makeMessage())
        try await inbox.compact()
        let file = try inbox.openMessage(uid: 1)
        let pack = file.bodyPath
        _ = try await inbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([1...2]))
        try await inbox.expunge()
        try await inbox.compact()
        #expect(!PosixFileIO().fileExists(pack), "the pack is gone from the directory")
        #expect(try bytesThroughDescriptor(file) == message, "the open file still holds the body")
        await store.close()
    }
}
