import Testing
@testable import MIME

@Test func moduleLinks() {
    #expect(MIMEModule.name == "MIME")
}
