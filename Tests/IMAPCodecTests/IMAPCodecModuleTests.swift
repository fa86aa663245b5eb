import Testing
@testable import IMAPCodec

@Test func moduleLinks() {
    #expect(IMAPCodecModule.name == "IMAPCodec")
}
