import Testing
@testable import IMAPServer

@Test func moduleLinks() {
    #expect(IMAPServerModule.name == "IMAPServer")
}
