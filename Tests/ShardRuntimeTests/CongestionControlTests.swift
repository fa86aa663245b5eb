import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// `RuntimeSettings.tcpCongestionControl`: every shard's listening socket carries the
/// named algorithm and the connections it accepts inherit it; nil leaves the system's
/// default; a name the kernel does not know stops `listen` instead of serving quietly
/// with the default. "reno" is used because every Linux kernel has it built in and it
/// is hardly ever the system's default, so the test sees a change.
@Suite struct CongestionControlTests {
    @Test func aListeningSocketAndTheConnectionsItAcceptsUseTheNamedAlgorithm() throws {
        let (listening, port) = try Listener.bindSocket(host: "127.0.0.1", port: 0, backlog: 16, congestionControl: "reno")
        defer { close(listening) }
        #expect(Self.congestionControl(of: listening) == "reno")
        let client = try LoopbackClient(port: port)
        let accepted = accept(listening, nil, nil)
        try #require(accepted >= 0)
        defer { close(accepted) }
        #expect(Self.congestionControl(of: accepted) == "reno")
        _ = client
    }

    @Test func withoutANameTheSystemDefaultStays() throws {
        let (listening, port) = try Listener.bindSocket(host: "127.0.0.1", port: 0, backlog: 16)
        defer { close(listening) }
        let client = try LoopbackClient(port: port)
        let accepted = accept(listening, nil, nil)
        try #require(accepted >= 0)
        defer { close(accepted) }
        let systemDefault = try #require(Self.systemDefault)
        #expect(Self.congestionControl(of: accepted) == systemDefault)
        _ = client
    }

    @Test(arguments: [nil, ""] as [String?])
    func anEmptyNameMeansTheSystemDefault(_ name: String?) {
        #expect(RuntimeSettings(tcpCongestionControl: name).normalized.tcpCongestionControl == nil)
    }

    @Test func anUnknownAlgorithmIsRefused() {
        #expect(throws: SystemError.self) {
            let (descriptor, _) = try Listener.bindSocket(
                host: "127.0.0.1", port: 0, backlog: 16, congestionControl: "no-such-algorithm")
            close(descriptor)
        }
    }

    @Test func everyShardListensWithTheConfiguredAlgorithm() async throws {
        var settings = testSettings(shards: 2)
        settings.tcpCongestionControl = "reno"
        let runtime = try ShardRuntime(settings: settings)
        _ = try await runtime.listen(host: "127.0.0.1", port: 0) { _ in }
        var names: [String?] = []
        for shard in runtime.shards {
            names += await withCheckedContinuation { continuation in
                shard.execute { continuation.resume(returning: shard.listeners.map { Self.congestionControl(of: $0.descriptor) }) }
            }
        }
        #expect(names == ["reno", "reno"])
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    @Test func listenFailsOnAnUnknownAlgorithm() async throws {
        var settings = testSettings(shards: 2)
        settings.tcpCongestionControl = "no-such-algorithm"
        let runtime = try ShardRuntime(settings: settings)
        await #expect(throws: SystemError.self) {
            _ = try await runtime.listen(host: "127.0.0.1", port: 0) { _ in }
        }
        await runtime.shutdown(gracePeriod: .seconds(1))
    }

    /// The algorithm a TCP socket uses (TCP_CONGESTION), nil when it cannot be read.
    static func congestionControl(of descriptor: Int32) -> String? {
        var name = [UInt8](repeating: 0, count: 64)  // names are at most 16 bytes (TCP_CA_NAME_MAX)
        var length = socklen_t(name.count - 1)  // the last byte stays 0: always terminated
        guard getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_CONGESTION, &name, &length) == 0 else { return nil }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// net.ipv4.tcp_congestion_control: what a socket gets when nobody asks.
    static var systemDefault: String? {
        guard let file = fopen("/proc/sys/net/ipv4/tcp_congestion_control", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        return String(decoding: line.prefix { $0 != 0 && $0 != 0x0A }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
