import Synchronization

/// How long a failed login waits before its `NO [AUTHENTICATIONFAILED]`.
public struct LoginThrottlePolicy: Sendable, Equatable {
    /// Delay after the first failure; each further failure doubles it.
    public var baseDelay: Duration = .milliseconds(500)
    /// The most any failure waits.
    public var maximumDelay: Duration = .seconds(15)
    /// An address's failures are forgotten this long after its last one.
    public var addressMemory: Duration = .seconds(15 * 60)
    /// Addresses remembered at once; beyond it the stalest are forgotten, so a
    /// spray from many addresses cannot grow memory without bound.
    public var trackedAddresses = 65_536

    public init() {}

    /// The delay after the `failures`-th failure (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doublings = min(failures - 1, 30)
        let delay = baseDelay * (1 << doublings)
        return min(delay, maximumDelay)
    }
}

/// Failed-login accounting shared by every session: the delay grows with the
/// failures of the connection and of the client's address, whichever is more,
/// so neither reconnecting nor spreading guesses over connections escapes it.
public final class LoginThrottle: Sendable {
    public let policy: LoginThrottlePolicy

    private struct AddressRecord {
        var failures: Int
        var lastFailure: ContinuousClock.Instant
    }

    private let addresses = Mutex<[String: AddressRecord]>([:])

    public init(policy: LoginThrottlePolicy = LoginThrottlePolicy()) {
        self.policy = policy
    }

    /// Records a failure from `address` (the connection's `connectionFailures`th)
    /// and returns how long to wait before answering it.
    public func recordFailure(
        address: String, connectionFailures: Int, now: ContinuousClock.Instant = .now
    ) -> Duration {
        let addressFailures = addresses.withLock { table in
            var record = table[address] ?? AddressRecord(failures: 0, lastFailure: now)
            if now - record.lastFailure > policy.addressMemory { record.failures = 0 }
            record.failures += 1
            record.lastFailure = now
            table[address] = record
            if table.count > policy.trackedAddresses { forgetStalest(in: &table, now: now) }
            return record.failures
        }
        return policy.delay(afterFailures: max(connectionFailures, addressFailures))
    }

    /// Failures remembered for `address` now.
    public func failures(address: String, now: ContinuousClock.Instant = .now) -> Int {
        addresses.withLock { table in
            guard let record = table[address], now - record.lastFailure <= policy.addressMemory else { return 0 }
            return record.failures
        }
    }

    private func forgetStalest(in table: inout [String: AddressRecord], now: ContinuousClock.Instant) {
        table = table.filter { now - $0.value.lastFailure <= policy.addressMemory }
        while table.count > policy.trackedAddresses,
              let stalest = table.min(by: { $0.value.lastFailure < $1.value.lastFailure }) {
            table.removeValue(forKey: stalest.key)
        }
    }
}
