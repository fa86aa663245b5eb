/// One entry of a mailbox journal. Every change to a mailbox is one record, written
/// (and made durable) before it is acknowledged; the index is the fold of them.
enum JournalRecord: Sendable, Equatable {
    case append(AppendedMessage)
    /// Gives keyword `name` the next free bit; precedes the first record using it.
    case defineKeyword(bit: Int, name: String)
    case flags(FlagRecord)
    case expunge(modSeq: ModSeq, uids: UIDSet)
    /// Raises UIDNEXT without a message: an import keeping the source's UIDNEXT, so
    /// UIDs the old server handed out are never reused.
    case raiseUIDNext(UID)
    /// The bytes of message `uid` (and its analyzer structure), written ahead of its
    /// `append` record: the message is durable once the journal is, and is read
    /// from here (the journal is also a pack, see `BodyLocation`) for good.
    case body(uid: UID, message: [UInt8], structure: [UInt8])
    /// The body of message `uid` (whose `append` follows) is one that another
    /// record already wrote, in the pack `location` names (COPY between mailboxes:
    /// the pack is hard-linked here, the body stays where it is).
    case bodyAt(uid: UID, location: BodyLocation)
    /// The body of message `uid`, already in the mailbox, written again here: it
    /// now lives in this journal's pack (compaction moves the last live bodies out
    /// of a mostly expunged pack, so the pack can go).
    case relocate(uid: UID, message: [UInt8], structure: [UInt8])

    enum Invalid: Error { case outOfOrder, malformed }

    struct AppendedMessage: Sendable, Equatable {
        var uid: UID
        var modSeq: ModSeq
        var flags: UInt8
        var keywordMask: UInt64
        var internalDate: Int64
        var zoneMinutes: Int16
        var size: UInt32
        var sentDay: Int32
    }

    /// The messages whose flags actually changed, and how; they all get `modSeq`.
    struct FlagRecord: Sendable, Equatable {
        enum Mode: UInt8, Sendable { case add = 0, remove = 1, replace = 2 }
        var modSeq: ModSeq
        var mode: Mode
        var system: UInt8
        var keywordMask: UInt64
        var uids: UIDSet
    }

    private enum Kind: UInt8 {
        case append = 1, defineKeyword = 2, flags = 3, expunge = 4, raiseUIDNext = 5, body = 6, bodyAt = 7, relocate = 8
    }

    /// Record framing: `[payload length: u32][crc32c of kind+payload: u32][kind: u8][payload]`.
    static let frameHeaderSize = 9
    /// Where a `body` (or `relocate`) record's message bytes start, from the record's start: the
    /// frame, the UID and the message length.
    static let bodyOffsetInRecord = frameHeaderSize + 8

    func encode(into writer: inout ByteWriter) {
        var body = ByteWriter(capacity: 48)
        switch self {
        case let .append(m):
            body.put(Kind.append.rawValue)
            body.put(m.uid); body.put(m.modSeq); body.put(m.flags); body.put(m.keywordMask)
            body.put(m.internalDate); body.put(m.zoneMinutes); body.put(m.size); body.put(m.sentDay)
        case let .defineKeyword(bit, name):
            body.put(Kind.defineKeyword.rawValue)
            body.put(UInt8(bit)); body.put(name)
        case let .flags(f):
            body.put(Kind.flags.rawValue)
            body.put(f.modSeq); body.put(f.mode.rawValue); body.put(f.system); body.put(f.keywordMask); body.put(f.uids)
        case let .expunge(modSeq, uids):
            body.put(Kind.expunge.rawValue)
            body.put(modSeq); body.put(uids)
        case let .raiseUIDNext(uid):
            body.put(Kind.raiseUIDNext.rawValue)
            body.put(uid)
        case let .body(uid, message, structure), let .relocate(uid, message, structure):
            body.bytes.reserveCapacity(message.count + structure.count + 16)
            if case .body = self { body.put(Kind.body.rawValue) } else { body.put(Kind.relocate.rawValue) }
            body.put(uid)
            body.put(UInt32(message.count))
            body.bytes.append(contentsOf: message)
            body.put(UInt32(structure.count))
            body.bytes.append(contentsOf: structure)
        case let .bodyAt(uid, location):
            body.put(Kind.bodyAt.rawValue)
            body.put(uid); body.put(location.pack); body.put(location.offset)
        }
        writer.put(UInt32(body.bytes.count - 1))
        writer.put(CRC32C.checksum(body.bytes))
        writer.bytes.append(contentsOf: body.bytes)
    }

    /// Decodes the record at `reader.offset`; nil if the bytes there are torn,
    /// corrupt or unknown (recovery stops at that point).
    static func decode(_ reader: inout ByteReader) -> JournalRecord? {
        var local = reader
        guard let record = decodeAdvancing(&local) else { return nil }
        reader = local
        return record
    }

    private static func decodeAdvancing(_ reader: inout ByteReader) -> JournalRecord? {
        guard let length = try? reader.get(UInt32.self), let crc = try? reader.get(UInt32.self),
              Int(length) + 1 <= reader.remaining
        else { return nil }
        let framed = UnsafeRawBufferPointer(rebasing: reader.bytes[reader.offset..<reader.offset + Int(length) + 1])
        guard CRC32C.checksum(framed) == crc else { return nil }
        var body = ByteReader(framed)
        let record: JournalRecord?
        do {
            switch Kind(rawValue: try body.get(UInt8.self)) {
            case .append:
                record = .append(AppendedMessage(
                    uid: try body.get(), modSeq: try body.get(), flags: try body.get(), keywordMask: try body.get(),
                    internalDate: try body.get(), zoneMinutes: try body.get(), size: try body.get(),
                    sentDay: try body.get()))
            case .defineKeyword:
                record = .defineKeyword(bit: Int(try body.get(UInt8.self)), name: try body.getString())
            case .flags:
                let modSeq: ModSeq = try body.get()
                guard let mode = FlagRecord.Mode(rawValue: try body.get()) else { return nil }
                record = .flags(FlagRecord(
                    modSeq: modSeq, mode: mode, system: try body.get(), keywordMask: try body.get(),
                    uids: try body.getUIDSet()))
            case .expunge:
                record = .expunge(modSeq: try body.get(), uids: try body.getUIDSet())
            case .raiseUIDNext:
                record = .raiseUIDNext(try body.get())
            case .body:
                let uid: UID = try body.get()
                let message = try body.getBytes(count: Int(try body.get(UInt32.self)))
                record = .body(uid: uid, message: message, structure: try body.getBytes(count: Int(try body.get(UInt32.self))))
            case .relocate:
                let uid: UID = try body.get()
                let message = try body.getBytes(count: Int(try body.get(UInt32.self)))
                record = .relocate(uid: uid, message: message, structure: try body.getBytes(count: Int(try body.get(UInt32.self))))
            case .bodyAt:
                let uid: UID = try body.get()
                let location = BodyLocation(pack: try body.get(), offset: try body.get())
                guard !location.isOwnFile else { return nil }
                record = .bodyAt(uid: uid, location: location)
            case nil:
                record = nil
            }
        } catch {
            record = nil
        }
        guard let record, body.remaining == 0 else { return nil }
        reader.offset += Int(length) + 1
        return record
    }
}
