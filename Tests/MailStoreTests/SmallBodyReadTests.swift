import Glibc
import Testing
@testable import MailStore

/// Small bodies in a pack are read with `pread` instead of mapped (see
/// `MessageFile.copiedBodyLimit`); what a reader sees must not change.
@Suite struct SmallBodyReadTests {
    let io = PosixFileIO()

    /// A multipart message with `parts` parts: a long structure for a short body.
    static func multipart(parts: Int) -> [UInt8] {
        var body = ""
        for index in 0..<parts {
            body += "--b\r\nContent-Type: text/plain; name=\"part\(index).txt\"\r\n\r\npart \(index)\r\n"
        }
        body += "--b--"
        return makeMessage(body: body, extraHeaders: ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b"])
    }

    @Test(arguments: [
        makeMessage(),
        multipart(parts: 40),
        makeMessage(body: String(repeating: "y", count: MessageFile.copiedBodyLimit - 200)),
        makeMessage(body: String(repeating: "z", count: MessageFile.copiedBodyLimit + 10)),
    ])
    func bodiesAndStructuresReadBackWhole(message: [UInt8]) async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, options: StoreOptions(journaledBodyLimit: 64 * 1024))
        let inbox = try await store.user("u").mailbox(named: "INBOX")
        _ = try await inbox.append(makeMessage(subject: "before"))
        _ = try await inbox.append(message)
        _ = try await inbox.append(makeMessage(subject: "after"))
        let structure = message.withUnsafeBytes { MIMEMessageAnalyzer().analyze($0).structure }
        let file = try inbox.openMessage(uid: 2)
        #expect(file.bodyPath.hasPrefix(inbox.packsPath))
        #expect(file.body == message)
        #expect(file.structure == structure)
        #expect(file.withBody { Array($0) } == message)
        await store.close()
    }

    @Test func aLongStructureNeedsTheSecondRead() {
        let message = Self.multipart(parts: 40)
        let structure = message.withUnsafeBytes { MIMEMessageAnalyzer().analyze($0).structure }
        #expect(structure.count > MessageFile.structureAllowance, "the case above covers the second read")
        #expect(message.count <= MessageFile.copiedBodyLimit)
    }

    /// A pack holding `body`, a structure length field, then `structureBytes` bytes.
    func writePack(_ directory: TemporaryDirectory, body: [UInt8], structureLength: UInt32, structureBytes: Int) throws -> String {
        let path = directory.path + "/pack"
        let fd = try io.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        defer { io.close(fd) }
        var bytes = [UInt8](repeating: 0x41, count: 100) + body
        withUnsafeBytes(of: structureLength.littleEndian) { bytes += $0 }
        bytes += [UInt8](repeating: 0x53, count: structureBytes)
        try bytes.withUnsafeBytes { try io.write(fd, $0, at: 0) }
        return path
    }

    @Test(arguments: [(UInt32(5000), 10), (UInt32.max, 3000), (UInt32(10), 9)])
    func truncatedPacksAreCorrupt(structureLength: UInt32, present: Int) throws {
        let directory = TemporaryDirectory()
        let body = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let path = try writePack(directory, body: body, structureLength: structureLength, structureBytes: present)
        #expect(throws: StoreError.corrupt(path: path, reason: "body at 100 out of bounds")) {
            _ = try MessageFile(packPath: path, offset: 100, bodySize: body.count, io: io)
        }
        // A body that runs past the end of the pack.
        #expect(throws: StoreError.corrupt(path: path, reason: "body at 100 out of bounds")) {
            _ = try MessageFile(packPath: path, offset: 100, bodySize: body.count + present + 10, io: io)
        }
    }

    @Test func anExactPackIsRead() throws {
        let directory = TemporaryDirectory()
        let body = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let path = try writePack(directory, body: body, structureLength: 3000, structureBytes: 3000)
        let file = try MessageFile(packPath: path, offset: 100, bodySize: body.count, io: io)
        #expect(file.body == body)
        #expect(file.structure == [UInt8](repeating: 0x53, count: 3000))
    }
}
