#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One stored message, mapped for reading (a small body in a pack is read into
/// memory instead, see `copiedBodyLimit`): the body as received and the
/// analyzer's structure bytes (the MIME module's parse, so FETCH never re-parses).
///
/// The body lies either in a file of its own (large bodies, and older stores),
/// an immutable file with a 16-byte footer:
///
///     [body][structure][structure length: u32][magic "MSF1": u32][body length: u64]
///
/// written once under a temporary name, fsynced, renamed into the mailbox
/// (`msgs/<uid>`), hard-linked by COPY; or in a pack (see `BodyLocation`), a
/// shared read-only file where it is one contiguous range. Either way
/// `bodyPath` and `bodyOffset` name the bytes, so a FETCH can hand the kernel
/// that range of that file (splice), or read them from the mapping.
public final class MessageFile: Sendable {
    static let magic: UInt32 = 0x3146_534D // "MSF1"
    static let footerSize = 16

    /// Bodies in a pack up to this size are read with `pread` rather than mapped.
    /// FETCH copies bodies this small into its output anyway (larger ones go to the
    /// socket by splice, and only their structure is read from the mapping).
    static let copiedBodyLimit = 16 * 1024
    /// Structure bytes read along with a copied body in the first `pread`; a longer
    /// structure costs a second one.
    static let structureAllowance = 2048

    /// The body (from byte 0) and the structure; for a `lazyBody`, the structure only.
    private let mapping: any FileBytes
    /// A large body in a pack, mapped at its first read; nil when `mapping` holds it.
    private let lazyBody: LazyBodyMapping?
    /// Where the body starts in `mapping` (0 but for a body sliced from a pack
    /// region that holds other messages too).
    private let bodyStart: Int
    /// Length of the message itself (RFC822.SIZE).
    public let bodySize: Int
    private let structureRange: Range<Int>
    /// The file holding the body (`msgs/<uid>` or a pack); it is never renamed or
    /// rewritten, only unlinked once no message uses it (then `open` fails; the
    /// mapping and `bodyDescriptor` stay valid).
    public let bodyPath: String
    /// Where the body starts in `bodyPath` (0 for a file of its own).
    public let bodyOffset: Int
    /// `bodyPath` open for reading while this object lives, or -1 (a small body in a
    /// pack, read into memory). The file is immutable, so a FETCH can splice the body
    /// from it even after the path is unlinked, without opening the path again.
    public let bodyDescriptor: Int32
    /// The pack `bodyDescriptor` belongs to (kept open by it, not closed here), or nil
    /// when `bodyDescriptor` is this object's own.
    private let pack: PackDescriptor?
    private let io: any FileIO

    /// Maps (or, when small, reads) the body at `offset` in a pack: `bodySize`
    /// bytes, the structure length (u32), the structure.
    convenience init(packPath: String, offset: Int, bodySize: Int, io: some FileIO) throws {
        try self.init(pack: PackDescriptor(path: packPath, io: io), packPath: packPath, offset: offset, bodySize: bodySize, io: io)
    }

    /// The body at `offset` in the open `pack` (at `packPath`); a large body keeps
    /// the pack open (shared, see `OpenPacks`) for as long as this object lives.
    init(pack: PackDescriptor, packPath: String, offset: Int, bodySize: Int, io: some FileIO) throws {
        let fd = pack.descriptor
        self.io = io
        bodyPath = packPath
        bodyOffset = offset
        self.bodySize = bodySize
        bodyStart = 0
        if bodySize <= Self.copiedBodyLimit {
            bodyDescriptor = -1
            self.pack = nil
            lazyBody = nil
            let outOfBounds = StoreError.corrupt(path: packPath, reason: "body at \(offset) out of bounds")
            let firstCapacity = bodySize + 4 + Self.structureAllowance
            let first = try ReadWindow(fd: fd, offset: offset, capacity: firstCapacity, io: io)
            guard first.length >= bodySize + 4 else { throw outOfBounds }
            let structureLength = Int(UInt32(littleEndian: first.bytes.loadUnaligned(fromByteOffset: bodySize, as: UInt32.self)))
            let needed = bodySize + 4 + structureLength
            if first.length >= needed {
                mapping = first
            } else {
                // A short first read means the file ends there; otherwise check the
                // length against the file before allocating for it.
                guard first.length == firstCapacity, offset + needed <= Int(try io.size(fd)) else { throw outOfBounds }
                let whole = try ReadWindow(fd: fd, offset: offset, capacity: needed, io: io)
                guard whole.length == needed else { throw outOfBounds }
                mapping = whole
            }
            structureRange = (bodySize + 4)..<needed
            return
        }
        // Only the structure is read now (its length, a u32 right after the body,
        // and its bytes); the body is mapped when something reads it.
        let outOfBounds = StoreError.corrupt(path: packPath, reason: "body at \(offset) out of bounds")
        let firstCapacity = 4 + Self.structureAllowance
        let first = try ReadWindow(fd: fd, offset: offset + bodySize, capacity: firstCapacity, io: io)
        guard first.length >= 4 else { throw outOfBounds }
        let structureLength = Int(UInt32(littleEndian: first.bytes.loadUnaligned(as: UInt32.self)))
        if first.length >= 4 + structureLength {
            mapping = first
        } else {
            guard first.length == firstCapacity, offset + bodySize + 4 + structureLength <= Int(try io.size(fd)) else { throw outOfBounds }
            let whole = try ReadWindow(fd: fd, offset: offset + bodySize, capacity: 4 + structureLength, io: io)
            guard whole.length == 4 + structureLength else { throw outOfBounds }
            mapping = whole
        }
        structureRange = 4..<(4 + structureLength)
        lazyBody = LazyBodyMapping(descriptor: fd, offset: offset, length: bodySize, path: packPath, io: io)
        bodyDescriptor = fd
        self.pack = pack
    }

    /// The body at `offset` in the open `pack`, without its structure: for a FETCH
    /// of whole bodies only (`BODY[]`, `RFC822`), which sends the range from the
    /// pack and never reads the structure, so the `pread` of it is saved. The range
    /// is checked against the pack's length instead (a damaged index is `corrupt`,
    /// as the structure read finds it). The structure reads as empty.
    init(bodyOnlyIn pack: PackDescriptor, packPath: String, offset: Int, bodySize: Int, io: some FileIO) throws {
        guard try pack.holds(offset: offset, length: bodySize + 4) else {
            throw StoreError.corrupt(path: packPath, reason: "body at \(offset) out of bounds")
        }
        mapping = NoBytes.shared
        structureRange = 0..<0
        bodyStart = 0
        self.bodySize = bodySize
        self.io = io
        bodyPath = packPath
        bodyOffset = offset
        lazyBody = LazyBodyMapping(descriptor: pack.descriptor, offset: offset, length: bodySize, path: packPath, io: io)
        bodyDescriptor = pack.descriptor
        self.pack = pack
    }

    /// A body already in memory: `bytes`, from `start`, holds the body, its
    /// structure length (u32) and the structure, as a pack stores them; the caller
    /// has checked that all of it lies inside `bytes`.
    init(bytes: any FileBytes, start: Int, bodySize: Int, structureLength: Int, path: String, offset: Int, io: some FileIO) {
        mapping = bytes
        lazyBody = nil
        bodyDescriptor = -1
        pack = nil
        self.io = io
        bodyStart = start
        self.bodySize = bodySize
        structureRange = (start + bodySize + 4)..<(start + bodySize + 4 + structureLength)
        bodyPath = path
        bodyOffset = offset
    }

    init(path: String, io: some FileIO) throws {
        bodyPath = path
        bodyOffset = 0
        self.io = io
        lazyBody = nil
        pack = nil
        bodyStart = 0
        let fd = try io.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        do {
            mapping = try MappedFile(fd: fd, offset: 0, length: Int(try io.size(fd)), path: path)
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
        } catch {
            io.close(fd)
            throw error
        }
        bodyDescriptor = fd
    }

    deinit {
        if bodyDescriptor >= 0 && pack == nil { io.close(bodyDescriptor) }
    }

    /// Calls `body` with the message bytes, valid for the duration of the call (and,
    /// in practice, for as long as this object lives).
    public func withBody<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(bodyBytes)
    }

    /// A copy of a byte range of the body, clamped to the body (FETCH BODY[]<o.n>).
    public func bytes(in range: Range<Int>) -> [UInt8] {
        let clamped = range.clamped(to: 0..<bodySize)
        return [UInt8](UnsafeRawBufferPointer(rebasing: bodyBytes[clamped]))
    }

    private var bodyBytes: UnsafeRawBufferPointer {
        if let lazyBody { return lazyBody.bytes }
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[bodyStart..<(bodyStart + bodySize)])
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

/// No bytes: the structure of a `MessageFile` opened for its body alone.
private final class NoBytes: FileBytes {
    static let shared = NoBytes()
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
}
