/// A first-in, first-out queue in one array. Taking from the front moves an index
/// instead of shifting the elements behind it, and the array is emptied (keeping its
/// capacity) each time the queue runs dry, so a queue that keeps draining never grows
/// past its longest backlog. Waiter lists are its users: short, filled and drained
/// under a lock, where a shift per take would be wasted work inside the lock.
struct ArrayQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    /// Elements still queued.
    var count: Int { storage.count - head }

    var isEmpty: Bool { head == storage.count }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// The oldest element, taken out; nil when the queue is empty.
    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let first = storage[head]
        head += 1
        if head == storage.count { removeAll() }
        return first
    }

    /// Every queued element, oldest first, and the queue emptied.
    mutating func takeAll() -> [Element] {
        let all = Array(storage[head...])
        removeAll()
        return all
    }

    /// Replaces the oldest queued element that satisfies `matches` with `replacement`
    /// and returns the element it replaced; nil (nothing changed) when none does.
    /// Waiters that leave early are replaced by a hole, so the order of the rest and
    /// the cost of taking from the front stay as they were.
    mutating func replaceFirst(where matches: (Element) -> Bool, with replacement: Element) -> Element? {
        guard let position = storage[head...].firstIndex(where: matches) else { return nil }
        let replaced = storage[position]
        storage[position] = replacement
        return replaced
    }

    private mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}
