/// Room reserved at the end of a ``ResponseBuffer`` and written front to back with no
/// capacity or uniqueness check per byte: a server writing thousands of small
/// responses of one shape (a FETCH of flags and headers of a whole mailbox) reserves
/// an upper bound of each response once, with
/// ``ResponseBuffer/writeReserved(upTo:_:)``, and fills it here.
///
/// Invariant: `start` points at `capacity` bytes of uninitialized buffer storage
/// that belong to this value alone for the length of one `writeReserved` call, and
/// `written <= capacity`. Every write checks that it fits (`precondition`): an
/// underestimated bound is a bug that must stop the server, never write past the
/// buffer. The type is non-copyable and lent `inout`, so it cannot outlive the call.
public struct ReservedBytes: ~Copyable {
    // Inlinable (the writes are a few instructions each, called per item).
    @usableFromInline let start: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int
    @usableFromInline var written: Int
    /// Bytes written so far.
    public var count: Int { written }

    init(_ space: UnsafeMutableBufferPointer<UInt8>) {
        // An empty reservation may come with no address; nothing can be written then.
        start = space.baseAddress ?? UnsafeMutablePointer(bitPattern: 0x1)!
        capacity = space.count
        written = 0
    }

    /// Bytes still free.
    public var remaining: Int { capacity - count }

    @inlinable @inline(__always)
    mutating func claim(_ length: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(length >= 0 && length <= capacity &- written, "a response longer than its reserved bound")
        let target = start + written
        written &+= length
        return target
    }

    @inlinable @inline(__always)
    public mutating func write(_ byte: UInt8) {
        claim(1).initialize(to: byte)
    }

    @inlinable
    public mutating func write(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        UnsafeMutableRawPointer(claim(raw.count)).copyMemory(from: source, byteCount: raw.count)
    }

    @inlinable
    public mutating func write(_ text: StaticString) {
        claim(text.utf8CodeUnitCount).initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    public mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Most bytes ``writeNumber(_:)`` writes.
    public static let maximumNumberLength = 20

    /// `number`: decimal digits, no sign, no leading zeros; at most
    /// ``maximumNumberLength`` bytes.
    @inlinable
    public mutating func writeNumber(_ value: UInt64) {
        let digits = Self.decimalDigits(value)
        let end = claim(digits) + digits
        var position = end
        var remaining = value
        repeat {
            position -= 1
            position.initialize(to: UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30)
            remaining /= 10
        } while remaining > 0
    }

    @inlinable @inline(__always)
    static func decimalDigits(_ value: UInt64) -> Int {
        var digits = 1
        var threshold: UInt64 = 10
        while digits < 20, value >= threshold {
            digits += 1
            threshold = threshold &* 10
        }
        return digits
    }

    /// Two digits of `value`, clamped to 0...99 so a bad date from a caller cannot trap.
    mutating func writeTwoDigits(_ value: Int) {
        let clamped = max(0, min(99, value))
        let target = claim(2)
        target.initialize(to: UInt8(clamped / 10) &+ 0x30)
        (target + 1).initialize(to: UInt8(clamped % 10) &+ 0x30)
    }

    /// Bytes ``writeDateTime(_:)`` writes: `"dd-Mon-yyyy hh:mm:ss +zzzz"`.
    public static let dateTimeLength = 28

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    public mutating func writeDateTime(_ dateTime: IMAPDateTime) {
        write(UInt8(ascii: "\""))
        writeTwoDigits(dateTime.date.day)
        write(UInt8(ascii: "-"))
        write(IMAPDate.monthNames[max(0, min(11, dateTime.date.month - 1))])
        write(UInt8(ascii: "-"))
        let year = max(0, min(9999, dateTime.date.year))
        writeTwoDigits(year / 100)
        writeTwoDigits(year % 100)
        write(0x20)
        writeTwoDigits(dateTime.hour)
        write(UInt8(ascii: ":"))
        writeTwoDigits(dateTime.minute)
        write(UInt8(ascii: ":"))
        writeTwoDigits(dateTime.second)
        write(0x20)
        write(dateTime.zoneMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let zone = abs(dateTime.zoneMinutes)
        writeTwoDigits(zone / 60)
        writeTwoDigits(zone % 60)
        write(UInt8(ascii: "\""))
    }

    /// Most bytes ``writeLiteralHeader(count:)`` writes.
    public static let maximumLiteralHeaderLength = maximumNumberLength + 4

    /// `{n}` CRLF: a literal of `count` bytes follows.
    public mutating func writeLiteralHeader(count: Int) {
        write(UInt8(ascii: "{"))
        writeNumber(UInt64(count))
        write(UInt8(ascii: "}"))
        write(0x0D)
        write(0x0A)
    }
}

extension ResponseBuffer {
    /// Reserves room for `maximumCount` bytes, lets `body` write up to that many
    /// through a ``ReservedBytes``, and keeps what it wrote. The buffer grows
    /// geometrically, so reserving per response costs no more than appending.
    public mutating func writeReserved(upTo maximumCount: Int, _ body: (inout ReservedBytes) -> Void) {
        bytes.append(addingCapacity: maximumCount) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                var reserved = ReservedBytes(UnsafeMutableBufferPointer(rebasing: buffer[initialized...]))
                body(&reserved)
                initialized += reserved.count
            }
        }
    }
}
