extension Mailbox {
    /// Raises UIDNEXT (imports keep the source's UIDNEXT so its UIDs are never
    /// reused here). Lower values are ignored.
    func raiseUIDNext(to uid: UID) async throws {
        let ticket = try await gate.withGate { () async throws -> UInt64? in
            guard uid > core.withLock({ $0.head.uidNext }) else { return nil }
            return try writeRecords([.raiseUIDNext(uid)], event: nil)
        }
        if let ticket { try await acknowledge(ticket) }
    }

    /// Whether nothing was ever stored here (an import may then replace UIDVALIDITY).
    var isPristine: Bool {
        core.withLock { $0.head.uidNext == 1 && $0.pending.isEmpty && $0.index.count == 0 && $0.index.expungeHistory.isEmpty }
    }
}
