#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the message files one command touches (a FETCH or SEARCH over many
/// messages), as one view of the index locates them. Small bodies in a pack are
/// read a region at a time: one `pread` brings in the next bodies too, since a
/// pack holds the messages of a mailbox one after the other, where reading each
/// body alone cost an open, a read and a close. The region starts small (a
/// FETCH of one message reads little more than it) and doubles, up to
/// `maximumRegion`, each time the reader moves on to the bytes after it; past
/// that (a scan of a large mailbox) the rest of the pack is mapped once, so its
/// bytes are not copied at all. Packs come open from the mailbox's `OpenPacks`
/// (kept between commands) and stay open until the reader goes (a pack unlinked
/// meanwhile stays readable through the descriptor, and its bytes never change).
///
/// Not thread-safe: one reader serves one command on one task.
public final class MessageReader {
    /// Bytes of the first `pread` of a pack, and of the largest.
    static let firstRegion = 8 * 1024
    static let maximumRegion = 256 * 1024

    private let mailbox: Mailbox
    private let index: MailboxIndex
    /// The packs this reader read from (shared with the mailbox's `OpenPacks`).
    private var packs: [UInt64: PackDescriptor] = [:]
    /// The pack read last, outside `packs`: a command that reads one pack (a FETCH
    /// of one message) makes no dictionary, whose storage and hashing showed per
    /// FETCH in profiles.
    private var lastPack: (key: UInt64, pack: PackDescriptor)?
    /// The pack region read last: bodies inside it are sliced, not read again.
    private var region: (pack: UInt64, offset: Int, window: any FileBytes)?
    private var regionSize = MessageReader.firstRegion
    /// The path of the pack read last (formatting it per message showed in profiles).
    private var lastPath: (pack: UInt64, path: String)?

    /// Set for a command that reads nothing of its messages but whole bodies
    /// (a FETCH of `BODY[]`): a body large enough to be sent from its pack is then
    /// opened without reading its structure (`MessageFile(bodyOnlyIn:…)`).
    public var readsWholeBodiesOnly = false

    init(mailbox: Mailbox, index: MailboxIndex) {
        self.mailbox = mailbox
        self.index = index
    }

    /// The message file of `uid`; nil when the view has no such message or its
    /// body is gone (its own file unlinked, or its pack removed before this reader
    /// opened it): the caller may look it up again in a newer view.
    public func message(uid: UID) -> Result<MessageFile, any Error>? {
        guard let row = index.row(of: uid) else { return nil }
        return message(atRow: row)
    }

    /// The message file of the message at `row` of the view (SEARCH walks rows).
    public func message(atRow row: Int) -> Result<MessageFile, any Error>? {
        let uid = index.uids[row]
        let location = index.bodyLocation(row: row)
        if location.isOwnFile { return mailbox.messageFile(uid: uid, in: index) }
        let bodySize = Int(index.sizes[row])
        let offset = Int(location.offset)
        do {
            guard bodySize <= MessageFile.copiedBodyLimit else {
                // The open pack knows its path: nothing formatted per message.
                let open = try pack(location.pack)
                if readsWholeBodiesOnly {
                    return .success(try MessageFile(bodyOnlyIn: open, packPath: open.path,
                                                    offset: offset, bodySize: bodySize, io: mailbox.io))
                }
                return .success(try MessageFile(pack: open, packPath: open.path, offset: offset,
                                                bodySize: bodySize, io: mailbox.io))
            }
            let path = packPath(location.pack)
            if let region, region.pack == location.pack,
               let file = MessageFile(region: region.window, at: offset - region.offset, packPath: path,
                                      offset: offset, bodySize: bodySize, io: mailbox.io) {
                return .success(file)
            }
            let descriptor = try pack(location.pack).descriptor
            // A body after the region's start that the region does not hold whole:
            // the reader is moving on through the pack.
            var readingOn = false
            if let region, region.pack == location.pack, offset > region.offset { readingOn = true }
            let window: any FileBytes
            if readingOn, regionSize == Self.maximumRegion,
               let rest = Int(exactly: try mailbox.io.size(descriptor)).map({ $0 - offset }), rest > 2 * Self.maximumRegion {
                window = try MappedFile(fd: descriptor, offset: offset, length: rest, path: path)
            } else {
                if readingOn { regionSize = min(regionSize * 2, Self.maximumRegion) }
                let capacity = max(regionSize, bodySize + 4 + MessageFile.structureAllowance)
                window = try ReadWindow(fd: descriptor, offset: offset, capacity: capacity, io: mailbox.io)
            }
            region = (location.pack, offset, window)
            if let file = MessageFile(region: window, at: 0, packPath: path, offset: offset, bodySize: bodySize, io: mailbox.io) {
                return .success(file)
            }
            // A body with a structure longer than the region: read on its own.
            return .success(try MessageFile(pack: pack(location.pack), packPath: path, offset: offset,
                                            bodySize: bodySize, io: mailbox.io))
        } catch StoreError.io(_, _, ENOENT) {
            return nil
        } catch {
            return .failure(error)
        }
    }

    private func packPath(_ key: UInt64) -> String {
        if let lastPath, lastPath.pack == key { return lastPath.path }
        let path = mailbox.packPath(key)
        lastPath = (key, path)
        return path
    }

    private func pack(_ key: UInt64) throws -> PackDescriptor {
        if let lastPack, lastPack.key == key { return lastPack.pack }
        let pack = try packs[key] ?? mailbox.openPacks.pack(key, path: { packPath(key) }, io: mailbox.io)
        // The pack read before stays open with the others for the reader's life.
        if let lastPack { packs[lastPack.key] = lastPack.pack }
        lastPack = (key, pack)
        return pack
    }
}

extension Mailbox {
    /// A reader for the messages of `view` (taken from this mailbox), for a command
    /// that reads many of them.
    public func messageReader(for view: MailboxView) -> MessageReader {
        MessageReader(mailbox: self, index: view.index)
    }
}
