#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One stored message: an immutable file holding the body as received, then the
/// analyzer's structure bytes (the MIME module's parse, so FETCH never re-parses),
/// then a 16-byte footer:
///
///     [body][structure][structure length: u32][magic "MSF1": u32][body length: u64]
///
/// The file is written once under a temporary name, fsynced, then renamed into the
/// mailbox (`msgs/<uid>`); COPY hard-links it, so body and structure are shared.
/// Reading maps it (`mmap`): a FETCH hands the kernel a range of the mapping.
public final class MessageFile: Sendable {
    static let magic: UInt32 = 0x3146_534D // "MSF1"
    static let footerSize = 16

    private let mapping: MappedFile
    /// Length of the message itself (RFC822.SIZE).
    public let bodySize: Int
    private let structureRange: Range<Int>

    init(path: String, io: some FileIO) throws {
        mapping = try MappedFile(path: path, io: io)
        let bytes = mapping.bytes
        guard bytes.count >= Self.footerSize else { throw StoreError.corrupt(path: path, reason: "no footer") }
        var reader = ByteReader(bytes, offset: bytes.count - Self.footerSize)
        guard let structureLength = try? reader.get(UInt32.self),
              let magic = try? reader.get(UInt32.self),
              let bodyLength = try? reader.get(UInt64.self),
              magic == Self.magic,
              Int(bodyLength) + Int(structureLength) + Self.footerSize == bytes.count
        else { throw StoreError.corrupt(path: path, reason: "bad footer") }
        bodySize = Int(bodyLength)
        structureRange = bodySize..<(bodySize + Int(structureLength))
    }

    /// Calls `body` with the message bytes, valid for the duration of the call (and,
    /// in practice, for as long as this object lives).
    public func withBody<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[0..<bodySize]))
    }

    /// A copy of a byte range of the body, clamped to the body (FETCH BODY[]<o.n>).
    public func bytes(in range: Range<Int>) -> [UInt8] {
        let clamped = range.clamped(to: 0..<bodySize)
        return [UInt8](UnsafeRawBufferPointer(rebasing: mapping.bytes[clamped]))
    }

    /// The whole body as an array (tests, export).
    public var body: [UInt8] { bytes(in: 0..<bodySize) }

    /// The opaque structure the `MessageAnalyzer` produced at append time.
    public var structure: [UInt8] { [UInt8](UnsafeRawBufferPointer(rebasing: mapping.bytes[structureRange])) }

    public func withStructure<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[structureRange]))
    }

    /// Writes a new message file at `path` and fsyncs it (unless relaxed). The caller
    /// renames it into place.
    static func write(
        body: [UInt8], structure: [UInt8], to path: String, io: some FileIO, syncer: BodySyncer?
    ) async throws {
        let fd = try io.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        do {
            try body.withUnsafeBytes { try io.write(fd, $0, at: 0) }
            var tail = ByteWriter(capacity: structure.count + footerSize)
            tail.bytes.append(contentsOf: structure)
            tail.put(UInt32(structure.count))
            tail.put(magic)
            tail.put(UInt64(body.count))
            try tail.bytes.withUnsafeBytes { try io.write(fd, $0, at: Int64(body.count)) }
            if let syncer { try await syncer.makeDurable(fd) }
        } catch {
            io.close(fd)
            try? io.unlink(path)
            throw error
        }
        io.close(fd)
    }
}
