import Synchronization

/// Limits on one user's mail (RFC 9208 MESSAGE and STORAGE); nil = unlimited.
public struct QuotaLimits: Sendable, Equatable {
    public var messages: Int64?
    public var bytes: Int64?

    public init(messages: Int64? = nil, bytes: Int64? = nil) {
        self.messages = messages
        self.bytes = bytes
    }

    public static let unlimited = QuotaLimits()
}

/// What a user uses now, against their limits.
public struct QuotaUsage: Sendable, Equatable {
    public var messages: Int64
    public var bytes: Int64
}

/// One user's usage, shared by all their open mailboxes. APPEND and COPY reserve
/// before writing (so concurrent writers cannot overshoot together) and release
/// on failure; EXPUNGE releases.
final class QuotaAccount: Sendable {
    let limits: QuotaLimits
    private let used: Mutex<QuotaUsage>

    init(limits: QuotaLimits, usage: QuotaUsage) {
        self.limits = limits
        self.used = Mutex(usage)
    }

    var usage: QuotaUsage { used.withLock { $0 } }

    func reserve(messages: Int64, bytes: Int64) throws {
        try used.withLock { used in
            if let limit = limits.messages, used.messages + messages > limit {
                throw StoreError.overQuota(resource: .messages, limit: limit, wouldUse: used.messages + messages)
            }
            if let limit = limits.bytes, used.bytes + bytes > limit {
                throw StoreError.overQuota(resource: .bytes, limit: limit, wouldUse: used.bytes + bytes)
            }
            used.messages += messages
            used.bytes += bytes
        }
    }

    func release(messages: Int64, bytes: Int64) {
        used.withLock { used in
            used.messages -= messages
            used.bytes -= bytes
        }
    }
}
