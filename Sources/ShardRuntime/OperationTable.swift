/// The completion handlers of a shard's operations in flight, found from a
/// completion's `user_data` by an array index instead of a hash.
///
/// A change fanned out to thousands of idlers submits thousands of sends in one
/// turn; a dictionary keyed by a growing counter hashed, probed and rehashed for
/// each of them. Here an id names a slot and the generation the slot had when the
/// handler was stored: `(generation << 32) | (slot + 1)`. Freed slots are reused
/// (last freed, first reused: its memory is warm); the generation rises on every
/// free, so an id whose operation has finished (a late cancel, a stale CQE) never
/// finds the handler of a later operation in the same slot.
///
/// A connection's byte send, the one operation a fan-out submits thousands of, is
/// stored as the connection itself (``insertSend(of:)``) instead of a closure: no
/// closure context is allocated and freed per send, and the completions of a batch
/// can start loading their connections together (``sender(for:)``) before each runs.
///
/// Invariants: used on its shard's thread only; an id is never 0 (0 is the
/// `user_data` of submissions nobody observes). A slot holds a handler or a sender,
/// never both; a sender is retained once (`passRetained`) from ``insertSend(of:)`` until
/// ``remove(_:)``, so an `Unmanaged` handed out by ``sender(for:)`` is valid until then.
struct OperationTable {
    typealias Handler = (Int32, UInt32) -> Bool

    private struct Slot {
        var generation: UInt32 = 0
        var handler: Handler?
        var sender: Unmanaged<Connection>?
        var isOccupied: Bool { handler != nil || sender != nil }
    }

    private var slots: [Slot] = []
    private var free: [UInt32] = []

    /// Operations in flight.
    private(set) var count = 0

    /// Stores `handler` and returns the id to put in the submission's `user_data`.
    mutating func insert(_ handler: @escaping Handler) -> UInt64 {
        let index = takeSlot()
        slots[index].handler = handler
        return id(of: index)
    }

    /// Stores a byte send of `connection`, whose completion is its
    /// `sendCompleted(_:isFile: false)`; returns the id for the submission's `user_data`.
    mutating func insertSend(of connection: Connection) -> UInt64 {
        let index = takeSlot()
        slots[index].sender = Unmanaged.passRetained(connection)
        return id(of: index)
    }

    private mutating func takeSlot() -> Int {
        count += 1
        if let reused = free.popLast() { return Int(reused) }
        slots.append(Slot())
        return slots.count - 1
    }

    private func id(of index: Int) -> UInt64 {
        UInt64(slots[index].generation) << 32 | UInt64(index + 1)
    }

    /// The slot `id` names, if it still holds that operation.
    private func slotIndex(of id: UInt64) -> Int? {
        let position = id & 0xFFFF_FFFF
        guard position > 0, position <= UInt64(slots.count) else { return nil }
        let index = Int(position - 1)
        guard slots[index].isOccupied, UInt64(slots[index].generation) == id >> 32 else { return nil }
        return index
    }

    /// Whether `id`'s operation is still in flight.
    func contains(_ id: UInt64) -> Bool { slotIndex(of: id) != nil }

    /// The handler of `id`'s operation, nil once it was removed.
    func handler(for id: UInt64) -> Handler? {
        slotIndex(of: id).flatMap { slots[$0].handler }
    }

    /// The connection whose byte send `id` is (``insertSend(of:)``), nil for any other
    /// operation or an old id; valid until `id` is removed.
    func sender(for id: UInt64) -> Unmanaged<Connection>? {
        slotIndex(of: id).flatMap { slots[$0].sender }
    }

    /// Forgets `id`'s operation (its last completion came); a no-op for an old id.
    mutating func remove(_ id: UInt64) {
        guard let index = slotIndex(of: id) else { return }
        slots[index].handler = nil
        slots[index].sender?.release()
        slots[index].sender = nil
        slots[index].generation &+= 1
        free.append(UInt32(index))
        count -= 1
    }

    /// Lets go of the connections of sends still in the table (their completions will
    /// never be dispatched: the ring is gone), as dropping the table would have let go
    /// of closures. Their slots are not freed: nothing may use the table afterwards.
    mutating func releaseSenders() {
        for index in slots.indices {
            slots[index].sender?.release()
            slots[index].sender = nil
        }
    }
}
