import Testing
@testable import IMAPCodec

@Suite("Modified UTF-7")
struct ModifiedUTF7Tests {
    /// UTF-8 names and their modified UTF-7 spellings, from RFC 9051 section 5.1.3 and
    /// Dovecot's mutf7 test script.
    static let pairs: [(String, String)] = [
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("Entwürfe", "Entw&APw-rfe"),
        ("A & B", "A &- B"),
        ("&", "&-"),
        ("plain", "plain"),
        ("", ""),
        ("😀", "&2D3eAA-"),
        ("Ünïcödé", "&ANw-n&AO8-c&APY-d&AOk-"),
        ("日本語&台北", "&ZeVnLIqe-&-&U,BTFw-"),
    ]

    @Test(arguments: pairs)
    func encodes(_ utf8: String, _ encoded: String) {
        #expect(ModifiedUTF7.encode(utf8) == encoded)
    }

    @Test(arguments: pairs)
    func decodes(_ utf8: String, _ encoded: String) {
        #expect(ModifiedUTF7.decode(encoded) == utf8)
    }

    @Test(arguments: [
        "&", "&U,BTFw", "&AGE-", "&U,BTF-", "Entw\u{FC}rfe", "&2D0-", "&Jjo!-", "&AP-",
    ])
    func rejects(_ malformed: String) {
        #expect(ModifiedUTF7.decode(malformed) == nil)
    }

    @Test func mailboxNameHelpers() {
        let name = MailboxName("Entw&APw-rfe")
        #expect(name.decodedFromModifiedUTF7() == MailboxName("Entwürfe"))
        #expect(MailboxName("Entwürfe").encodedAsModifiedUTF7() == name)
        #expect(MailboxName("iNbOx").isInbox)
        #expect(!MailboxName("INBOX.Sent").isInbox)
    }
}
