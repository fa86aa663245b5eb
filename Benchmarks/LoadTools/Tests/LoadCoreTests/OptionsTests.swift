#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LoadCore

@Suite("Options and inputs")
struct OptionsTests {
    @Test func defaultsNeedOnlyAWorkload() throws {
        let options = try LoadOptions.parse(["mix"])
        #expect(options.workload == .mix)
        #expect(options.port == 1143)
        #expect(options.weights == .imaptestLike)
    }

    @Test func parsesEveryWorkloadByName() throws {
        for workload in LoadOptions.Workload.allCases {
            #expect(try LoadOptions.parse([workload.rawValue]).workload == workload)
        }
    }

    @Test func parsesTLS() throws {
        #expect(try LoadOptions.parse(["mix"]).tls == false)
        let options = try LoadOptions.parse(["fetch-bodies", "--tls", "--tls-ca-file", "ca.pem", "--port", "993"])
        #expect(options.tls)
        #expect(options.tlsTrustedCertificates == "ca.pem")
        #expect(options.port == 993)
    }

    @Test func parsesTheIdleReadersPriority() throws {
        #expect(try LoadOptions.parse(["idle-fanout"]).idleReadersPriority == .normal)
        #expect(try LoadOptions.parse(["idle-fanout", "--idle-readers-priority", "idle"]).idleReadersPriority == .idle)
        #expect(try LoadOptions.parse(["idle-fanout", "--idle-readers-priority", "normal"]).idleReadersPriority == .normal)
    }

    @Test(arguments: [([String](), true, false), (["ring"], true, false), (["gated-ring"], true, true), (["epoll"], false, false)])
    func parsesTheIdleReceiver(value: [String], ring: Bool, gated: Bool) throws {
        let options = try LoadOptions.parse(["idle-fanout"] + (value.isEmpty ? [] : ["--idle-receiver"] + value))
        #expect(options.idleReceiverUsesRing == ring)
        #expect(options.idleReceiverGatesWakeups == gated)
    }

    @Test func parsesOptions() throws {
        let options = try LoadOptions.parse([
            "idle-capacity", "--host", "127.0.0.2", "--port", "2143", "--connections", "5000", "--pid", "42",
            "--users", "3", "--user-prefix", "u", "--duration", "1.5", "--json", "-", "--no-seed", "--weights", "append=0,list=9",
        ])
        #expect(options.host == "127.0.0.2")
        #expect(options.port == 2143)
        #expect(options.connections == 5000)
        #expect(options.pid == 42)
        #expect(options.durationSeconds == 1.5)
        #expect(options.jsonPath == "-")
        #expect(!options.seed)
        #expect(options.weights.weight("append") == 0)
        #expect(options.weights.weight("list") == 9)
        #expect(options.weights.weight("store") == MixWeights.imaptestLike.weight("store"))
        #expect(options.userName(0) == "u1")
        #expect(options.userName(4) == "u2")
    }

    @Test(arguments: [
        ["nosuch"], ["mix", "--port"], ["mix", "--port", "0"], ["mix", "--port", "70000"], ["mix", "--clients", "x"],
        ["mix", "--duration", "-1"], ["mix", "--weights", "list"], ["mix", "--weights", "bogus=1"],
        ["mix", "--weights", MixWeights.operations.map { "\($0)=0" }.joined(separator: ",")], ["mix", "--frobnicate"], ["fetch-bodies", "--message-size", "100"],
        ["idle-fanout", "--idle-readers-priority", "realtime"],
        ["mix", "--tls-ca-file", "ca.pem"], ["idle-fanout", "--tls"], ["serve-copy", "--tls"],
    ])
    func rejectsBadArguments(arguments: [String]) {
        #expect(failureKind { _ = try LoadOptions.parse(arguments) } == "usage")
    }

    /// Each operation owns exactly `weight` of the draws, in order.
    @Test func weightedDrawsCoverEachOperationExactly() throws {
        let weights = try MixWeights.parse("login=0,list=1,status=0,select=2,fetch-flags=0,fetch-body=3,store=0,expunge=0,append=4,logout=0", over: .imaptestLike)
        let drawn = (0..<weights.total).map(weights.operation(forDraw:))
        #expect(drawn == ["list", "select", "select", "fetch-body", "fetch-body", "fetch-body", "append", "append", "append", "append"])
    }

    @Test func randomDrawsAreReproducibleAndSpread() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let value = first.next()
            #expect(value == second.next())
            buckets[Int(value % 10)] += 1
        }
        #expect(buckets.allSatisfy { $0 > 850 && $0 < 1150 })
    }

    @Test(arguments: [MessageFactory.minimumSize, 4096, 100_000, 1_000_003])
    func messagesHaveTheExactSize(size: Int) {
        let message = MessageFactory.message(size: size, serial: 999_999_999, user: String(repeating: "u", count: 32))
        #expect(message.count == size)
        let lines = message.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(message != MessageFactory.message(size: size, serial: 4, user: String(repeating: "u", count: 32)))
    }

    @Test func sourceAddressesSpreadOnlyBeyondOneAddressWorthOfPorts() {
        #expect(sourceAddress(forConnection: 999, of: 5_000) == nil)
        #expect(sourceAddress(forConnection: 0, of: 100_000) == "127.0.0.1")
        #expect(sourceAddress(forConnection: 24_999, of: 100_000) == "127.0.0.1")
        #expect(sourceAddress(forConnection: 25_000, of: 100_000) == "127.0.0.2")
        #expect(sourceAddress(forConnection: 99_999, of: 100_000) == "127.0.0.4")
    }

    /// 100,000 connections with a 20,000 file limit need six processes of ≤ 19,488.
    @Test(arguments: [(100_000, 20_000 as UInt64, 1, 6), (5_000, 20_000, 1, 1), (5_000, 20_000, 3, 3), (19_488, 20_000, 1, 1), (19_489, 20_000, 1, 2)])
    func idleConnectionsAreSpreadOverEnoughProcesses(connections: Int, fileLimit: UInt64, requested: Int, expected: Int) {
        #expect(IdleCapacityWorkload.processCount(connections: connections, fileLimit: fileLimit, requested: requested) == expected)
    }

    @Test func parsesAChildRange() throws {
        #expect(try LoadOptions.parse(["idle-capacity", "--child-range", "25000:5000"]).childRange == 25_000..<30_000)
        #expect(failureKind { _ = try LoadOptions.parse(["idle-capacity", "--child-range", "5:0"]) } == "usage")
    }

    @Test func parsesSmapsRollup() {
        let text = """
            55d0c0a00000-7ffd5a7e2000 ---p 00000000 00:00 0                          [rollup]
            Rss:                5168 kB
            Pss:                 912 kB
            Pss_Anon:            644 kB
            Shared_Clean:       4124 kB
            """
        #expect(ProcessMemory.parseRollup(text) == MemoryUsage(rssKiB: 5168, pssKiB: 912, processes: 1))
        #expect(ProcessMemory.parseRollup("Rss: 5 kB") == nil)
    }

    @Test func parentPIDSurvivesOddCommandNames() {
        #expect(ProcessMemory.parentPID(fromStat: "812 (imap) S 790 812 812 0 -1") == 790)
        #expect(ProcessMemory.parentPID(fromStat: "9 (a) b) (c) R 4 9 9") == 4)
    }

    @Test func readsThisProcessTree() {
        let usage = ProcessMemory.treeUsage(root: getpid())
        #expect(usage.processes >= 1)
        #expect(usage.rssKiB > 0)
    }
}
