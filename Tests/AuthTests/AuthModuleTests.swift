import Testing
@testable import Auth

@Test func moduleLinks() {
    #expect(AuthModule.name == "Auth")
}
