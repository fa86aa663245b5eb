import Testing
@testable import Auth

@Suite struct LoginThrottleTests {
    @Test func delayDoublesUpToTheCap() {
        let policy = LoginThrottlePolicy()
        #expect(policy.delay(afterFailures: 0) == .zero)
        #expect(policy.delay(afterFailures: 1) == .milliseconds(500))
        #expect(policy.delay(afterFailures: 2) == .seconds(1))
        #expect(policy.delay(afterFailures: 4) == .seconds(4))
        #expect(policy.delay(afterFailures: 6) == .seconds(15))
        #expect(policy.delay(afterFailures: 1000) == .seconds(15))
    }

    @Test func addressFailuresCarryAcrossConnections() {
        let throttle = LoginThrottle()
        let start = ContinuousClock.now
        #expect(throttle.recordFailure(address: "192.0.2.1", connectionFailures: 1, now: start) == .milliseconds(500))
        // A new connection from the same address does not start over.
        #expect(throttle.recordFailure(address: "192.0.2.1", connectionFailures: 1, now: start) == .seconds(1))
        #expect(throttle.recordFailure(address: "192.0.2.1", connectionFailures: 1, now: start) == .seconds(2))
        // Another address is unaffected.
        #expect(throttle.recordFailure(address: "192.0.2.2", connectionFailures: 1, now: start) == .milliseconds(500))
    }

    @Test func addressFailuresAreForgottenAfterTheMemory() {
        let throttle = LoginThrottle()
        let start = ContinuousClock.now
        for _ in 0..<5 { _ = throttle.recordFailure(address: "a", connectionFailures: 1, now: start) }
        #expect(throttle.failures(address: "a", now: start) == 5)
        let later = start + .seconds(16 * 60)
        #expect(throttle.failures(address: "a", now: later) == 0)
        #expect(throttle.recordFailure(address: "a", connectionFailures: 1, now: later) == .milliseconds(500))
    }

    @Test func addressTableIsBounded() {
        var policy = LoginThrottlePolicy()
        policy.trackedAddresses = 8
        let throttle = LoginThrottle(policy: policy)
        let start = ContinuousClock.now
        for i in 0..<100 {
            _ = throttle.recordFailure(address: "10.0.0.\(i)", connectionFailures: 1, now: start + .milliseconds(i))
        }
        #expect(throttle.failures(address: "10.0.0.99", now: start + .seconds(1)) == 1)
        #expect(throttle.failures(address: "10.0.0.0", now: start + .seconds(1)) == 0, "the stalest address was forgotten")
    }
}
