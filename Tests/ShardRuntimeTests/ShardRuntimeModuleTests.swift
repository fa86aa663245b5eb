import Testing
@testable import ShardRuntime

@Test func moduleLinks() {
    #expect(ShardRuntimeModule.name == "ShardRuntime")
}
