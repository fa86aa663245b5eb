import IMAPCodec
import MailStore
import Testing
@testable import IMAPServer

@Suite struct FlagTranslationTests {
    @Test func storeOperations() throws {
        let flags = [Flag("\\SEEN"), Flag("$Forwarded"), Flag("\\Flagged")]
        let expected = MessageFlags([.seen, .flagged], keywords: ["$Forwarded"])
        #expect(try FlagTranslation.change(StoreFlags(operation: .replace, silent: false, flags: flags)) == .replace(expected))
        #expect(try FlagTranslation.change(StoreFlags(operation: .add, silent: true, flags: flags)) == .add(expected))
        #expect(try FlagTranslation.change(StoreFlags(operation: .remove, silent: false, flags: flags)) == .remove(expected))
    }

    @Test(arguments: ["\\Recent", "\\Nonsense", "\\*"])
    func systemFlagsThatCannotBeStored(name: String) {
        #expect(throws: MessageCommandError.invalidFlag(name)) { try FlagTranslation.messageFlags([Flag(name)]) }
    }

    @Test func wireOrderIsStable() {
        let flags = MessageFlags([.draft, .seen], keywords: ["zeta", "Alpha"])
        #expect(FlagTranslation.wireFlags(flags).map(\.rawValue) == ["\\Seen", "\\Draft", "Alpha", "zeta"])
        #expect(FlagTranslation.wireFlags(MessageFlags(), recent: true).map(\.rawValue) == ["\\Recent"])
    }

    @Test func storeErrorsMapToResponseCodes() {
        #expect(MessageCommandError(StoreError.mailboxNotFound("x")).response.code == .tryCreate)
        #expect(MessageCommandError(StoreError.overQuota(resource: .bytes, limit: 1, wouldUse: 2)).response.code == .overQuota)
        #expect(MessageCommandError(StoreError.tooManyKeywords(limit: 64)).response.code == .limit)
        #expect(MessageCommandError.readOnly.response.code == .readOnly)
    }
}
