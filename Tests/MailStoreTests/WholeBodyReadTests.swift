import Glibc
import Testing
@testable import MailStore

/// A message file opened for its body alone (`MessageFile(bodyOnlyIn:…)`, a FETCH of
/// whole bodies): the body reads as stored, and a range the pack does not hold is
/// `corrupt`, as the structure read finds it for other FETCHes.
@Suite struct WholeBodyReadTests {
    let io = PosixFileIO()

    /// A pack of 100 filler bytes, `body`, then `trailing` bytes (its structure length and structure).
    private func writePack(_ directory: TemporaryDirectory, body: [UInt8], trailing: Int) throws -> String {
        let path = directory.path + "/pack"
        let fd = try io.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        defer { io.close(fd) }
        let bytes = [UInt8](repeating: 0x41, count: 100) + body + [UInt8](repeating: 0, count: trailing)
        try bytes.withUnsafeBytes { try io.write(fd, $0, at: 0) }
        return path
    }

    private static let body = Array(("Subject: whole\r\n\r\n" + String(repeating: "a line of the body\r\n", count: 2000)).utf8)

    @Test func theBodyReadsAsStoredWithAnEmptyStructure() throws {
        let directory = TemporaryDirectory()
        let path = try writePack(directory, body: Self.body, trailing: 4)
        let file = try MessageFile(bodyOnlyIn: PackDescriptor(path: path, io: io), packPath: path, offset: 100,
                                   bodySize: Self.body.count, io: io)
        #expect(file.body == Self.body)
        #expect(file.bodyOffset == 100)
        #expect(file.bodyDescriptor >= 0)
        #expect(file.structure.isEmpty)
    }

    /// The pack ends inside the body, or inside the structure length after it.
    @Test(arguments: [0, 3])
    func aRangeThePackDoesNotHoldIsCorrupt(trailing: Int) throws {
        let directory = TemporaryDirectory()
        let cut = trailing == 0 ? Array(Self.body.prefix(Self.body.count / 2)) : Self.body
        let path = try writePack(directory, body: cut, trailing: trailing)
        #expect(throws: StoreError.corrupt(path: path, reason: "body at 100 out of bounds")) {
            _ = try MessageFile(bodyOnlyIn: PackDescriptor(path: path, io: io), packPath: path, offset: 100,
                                bodySize: Self.body.count, io: io)
        }
    }

    /// The pack's length is looked up again when a range passes the one seen (a
    /// pack that holds the current journal grows).
    @Test func aGrownPackIsMeasuredAgain() throws {
        let directory = TemporaryDirectory()
        let path = try writePack(directory, body: [], trailing: 0)
        let pack = try PackDescriptor(path: path, io: io)
        #expect(try pack.holds(offset: 0, length: 100))
        #expect(try !pack.holds(offset: 50, length: 100))
        let fd = try io.open(path, flags: O_WRONLY, mode: 0)
        defer { io.close(fd) }
        try [UInt8](repeating: 0x42, count: 100).withUnsafeBytes { try io.write(fd, $0, at: 100) }
        #expect(try pack.holds(offset: 50, length: 150))
        #expect(try !pack.holds(offset: 50, length: 151))
        #expect(try !pack.holds(offset: -1, length: 1))
    }
}
