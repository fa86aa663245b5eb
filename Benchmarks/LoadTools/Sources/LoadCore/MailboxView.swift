import IMAPCodec

/// The client's view of the selected mailbox's message count, kept consistent with
/// every EXISTS and EXPUNGE the server sends (RFC 9051 §7.4.1, §7.5.1): EXISTS never
/// reports fewer messages than known unless EXPUNGEs came first, and an EXPUNGE names a
/// message that exists.
public struct MailboxView: Sendable {
    public private(set) var exists: UInt32

    public init(exists: UInt32) {
        self.exists = exists
    }

    /// Applies the size updates of one exchange; returns how many EXPUNGEs it carried.
    @discardableResult
    public mutating func apply(_ responses: [UntaggedResponse]) throws(LoadError) -> Int {
        var expunged = 0
        for response in responses {
            switch response {
            case .expunge(let number):
                guard number >= 1, number <= exists else {
                    throw LoadError("inconsistent EXPUNGE", "EXPUNGE \(number) with \(exists) messages")
                }
                exists -= 1
                expunged += 1
            case .exists(let count):
                try noteExists(count)
            default:
                continue
            }
        }
        return expunged
    }

    /// Takes in one EXISTS: never fewer messages than known without EXPUNGEs first.
    public mutating func noteExists(_ count: UInt32) throws(LoadError) {
        guard count >= exists else {
            throw LoadError("inconsistent EXISTS", "EXISTS \(count) below \(exists) without EXPUNGE")
        }
        exists = count
    }
}
