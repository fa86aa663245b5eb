import Testing
@testable import LoadCore

@Suite("Statistics")
struct StatisticsTests {
    /// Uniform 1…10000 µs: the p-th percentile is p% of 10000 (HdrHistogram with three
    /// significant digits reports within 0.1%).
    @Test(arguments: [(50.0, 5000.0), (90.0, 9000.0), (99.0, 9900.0), (99.9, 9990.0)])
    func percentilesOfUniformDistribution(percentile: Double, expected: Double) {
        var statistics = CommandStatistics()
        for value in 1...10_000 { statistics.record(microseconds: UInt64(value)) }
        let reported = Double(statistics.percentile(percentile))
        #expect(abs(reported - expected) <= expected * 0.001 + 1)
        #expect(statistics.count == 10_000)
    }

    /// 99% fast (100 µs) and 1% slow (50 ms): p90 must be fast, p99.9 must be slow —
    /// a tail a mean would hide.
    @Test func bimodalTailIsVisible() {
        var statistics = CommandStatistics()
        for _ in 0..<9_900 { statistics.record(microseconds: 100) }
        for _ in 0..<100 { statistics.record(microseconds: 50_000) }
        #expect(abs(Double(statistics.percentile(90)) - 100) <= 1)
        #expect(abs(Double(statistics.percentile(99.9)) - 50_000) <= 50)
        #expect(statistics.percentile(99) <= 101)
    }

    @Test func mergingWorkersEqualsRecordingTogether() {
        var whole = CommandStatistics()
        var first = CommandStatistics()
        var second = CommandStatistics()
        for value in 1...2_000 {
            whole.record(microseconds: UInt64(value * 7), bytes: 10)
            if value % 2 == 0 { first.record(microseconds: UInt64(value * 7), bytes: 10) } else { second.record(microseconds: UInt64(value * 7), bytes: 10) }
        }
        first.merge(second)
        #expect(first.count == whole.count)
        #expect(first.bytes == 20_000)
        for percentile in [50.0, 90, 99, 99.9] { #expect(first.percentile(percentile) == whole.percentile(percentile)) }
    }

    @Test func emptyStatisticsReportZero() {
        #expect(CommandStatistics().percentile(99) == 0)
    }

    @Test func zeroLatencyIsRecordedNotDropped() {
        var statistics = CommandStatistics()
        statistics.record(microseconds: 0)
        #expect(statistics.count == 1)
        #expect(statistics.latency.totalCount == 1)
    }

    @Test(arguments: [(1000 as UInt64, 2.0, 500.0), (0, 5.0, 0.0), (10, 0.0, 0.0), (3, 0.5, 6.0)])
    func rates(count: UInt64, seconds: Double, expected: Double) {
        #expect(Rate.perSecond(count, seconds: seconds) == expected)
    }

    @Test func megabytesAreDecimal() {
        #expect(Rate.megabytesPerSecond(50_000_000, seconds: 10) == 5)
    }

    @Test func errorsAreNeverThroughput() {
        var statistics = RunStatistics()
        statistics.record("FETCH BODY", microseconds: 100, bytes: 1000)
        statistics.recordError("invalid FETCH")
        statistics.recordError("invalid FETCH")
        #expect(statistics.totalOperations == 1)
        #expect(statistics.totalErrors == 2)
        #expect(statistics.errors["invalid FETCH"] == 2)
    }

    @Test func resultExcludesSetupFromThroughput() {
        var statistics = RunStatistics()
        for _ in 0..<10 { statistics.record("SETUP LOGIN", microseconds: 30_000) }
        for _ in 0..<40 { statistics.record("FETCH BODY", microseconds: 500, bytes: 250_000) }
        var options = LoadOptions(workload: .fetchBodies)
        options.messageSize = 250_000
        let result = LoadResult(options: options, statistics: statistics, seconds: 2)
        #expect(result.totalOperations == 40)
        #expect(result.operationsPerSecond == 20)
        #expect(result.megabytesPerSecond == 5)
        #expect(result.headline == 5)
        #expect(result.headlineName == "MB/s")
        #expect(result.commands["SETUP LOGIN"]?.count == 10)
    }

    /// idle-fanout's headline is the p99 of ARRIVAL AT ALL; the arrival rows time the
    /// same deliveries again, so they add no operations.
    @Test func fanoutHeadlineIsArrivalAtAllAndArrivalsAreNoOperations() {
        var statistics = RunStatistics()
        for _ in 0..<10 {
            statistics.record("DELIVERY", microseconds: 9_000)
            statistics.record(FanoutReceiver.arrival, microseconds: 4_000)
        }
        statistics.record("DELIVERY TO ALL", microseconds: 9_000)
        statistics.record(FanoutReceiver.arrivalAtAll, microseconds: 4_000)
        let result = LoadResult(options: LoadOptions(workload: .idleFanout), statistics: statistics, seconds: 1)
        #expect(result.headlineName == "p99 arrival at all (ms)")
        #expect(abs(result.headline - 4) < 0.01)
        #expect(result.totalOperations == 11)
        #expect(result.commands["DELIVERY TO ALL"]?.p99Microseconds ?? 0 > 8_900)
    }

    @Test func memoryPerConnectionIsTheGrowthOverHeldConnections() {
        #expect(LoadResult.perConnection(11_000, 1_000, 1_000) == 10)
        #expect(LoadResult.perConnection(900, 1_000, 100) == -1)
    }
}

@Suite("Run gate")
struct RunGateTests {
    @Test func anOperationBudgetAdmitsExactlyThatMany() {
        let gate = RunGate(parties: 1, durationSeconds: 3600, operationBudget: 5)
        _ = gate.arriveAndWait()
        let admitted = (0..<20).filter { _ in gate.mayContinue() }.count
        #expect(admitted == 5)
    }

    @Test func withoutABudgetOnlyTheDeadlineStops() {
        let gate = RunGate(parties: 1, durationSeconds: 3600, operationBudget: 0)
        _ = gate.arriveAndWait()
        #expect((0..<1000).allSatisfy { _ in gate.mayContinue() })
    }

    @Test func allWorkersShareOneStartTime() {
        let gate = RunGate(parties: 4, durationSeconds: 1, operationBudget: 0)
        let starts = WorkerPool.run(count: 4) { _ in gate.arriveAndWait() }
        #expect(Set(starts).count == 1)
        #expect(gate.start == starts[0])
    }
}
