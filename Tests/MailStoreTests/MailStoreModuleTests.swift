import Testing
@testable import MailStore

@Test func moduleLinks() {
    #expect(MailStoreModule.name == "MailStore")
}
