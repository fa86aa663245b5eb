/// Where a message body is stored.
///
/// Small bodies are written once, into the mailbox journal, and stay there: when
/// compaction starts a new journal, the old one lives on as a read-only *pack*
/// (Dovecot's mdbox packs messages into shared files the same way), so an append
/// creates no file of its own. Every journal is hard-linked as
/// `packs/<mailbox id>.<generation>` from the moment it is created; readers only
/// ever open that name, which never changes. COPY into another mailbox hard-links
/// the pack there under the same name, so the body is shared, not duplicated.
/// A pack goes when no message of the mailbox still lies in it (at compaction);
/// one whose live bodies fall under a quarter of it has them rewritten into the
/// journal first (`relocate` records), so expunged bodies free their space.
///
/// Large bodies (and those of old stores) have a file of their own, `msgs/<uid>`.
///
/// In a pack, at `offset`: the body (RFC822.SIZE bytes), its structure length
/// (u32), the structure — the tail of the journal's `body` record.
struct BodyLocation: Sendable, Equatable {
    /// 0 for `msgs/<uid>`; else `mailbox id << 32 | (generation + 1)`.
    var pack: UInt64
    var offset: UInt32

    static let ownFile = BodyLocation(pack: 0, offset: 0)

    var isOwnFile: Bool { pack == 0 }

    static func packKey(mailboxID: UInt32, generation: UInt64) -> UInt64 {
        UInt64(mailboxID) << 32 | ((generation & 0xFFFF_FFFF) + 1)
    }

    /// The pack's file name under `packs/`.
    static func packName(_ key: UInt64) -> String {
        "\(key >> 32).\((key & 0xFFFF_FFFF) - 1)"
    }
}
