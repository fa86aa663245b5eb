/// A date from a Date header (RFC 5322 §3.3 `date-time`, with the obsolete forms
/// of §4.3: two-digit years, named zones, no seconds), for SEARCH SENTBEFORE /
/// SENTON / SENTSINCE (which compare the date as written, ignoring time and zone)
/// and SORT DATE (which compares instants).
public struct MessageDate: Hashable, Sendable {
    public var year: Int
    /// 1–12.
    public var month: Int
    /// 1–31.
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// The zone offset east of UTC, in minutes (0 for unknown zones such as -0000).
    public var zoneMinutes: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The instant, as seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int {
        Self.daysSince1970(year: year, month: month, day: day) * 86_400
            + hour * 3_600 + minute * 60 + second - zoneMinutes * 60
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Parses a Date field value; nil when it is not a recognisable date.
    public init?(parsing value: some Collection<UInt8>) {
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        var commentDepth = 0
        for c in value {
            if c == UInt8(ascii: "(") { commentDepth += 1 }
            if commentDepth > 0 {
                if c == UInt8(ascii: ")") { commentDepth -= 1 }
                continue
            }
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A || c == UInt8(ascii: ",") {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if words.count < 16 {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        // Skip an optional day of week ("Thu" or "Thu," — the comma already split).
        if let first = words.first, first.first.map(Self.isLetter) == true { words.removeFirst() }
        guard words.count >= 4,
              let day = Self.number(words[0]), (1...31).contains(day),
              let month = Self.month(words[1]),
              var year = Self.number(words[2])
        else { return nil }
        switch words[2].count {
        case 2: year += year < 50 ? 2000 : 1900
        case 3: year += 1900
        default: break
        }
        let time = words[3].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3,
              let hour = Self.number(Array(time[0])), hour < 24,
              let minute = Self.number(Array(time[1])), minute < 60
        else { return nil }
        var second = 0
        if time.count == 3 {
            guard let parsed = Self.number(Array(time[2])), parsed <= 60 else { return nil }
            second = parsed
        }
        let zone = words.count > 4 ? Self.zoneMinutes(words[4]) : 0
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, zoneMinutes: zone)
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    private static func number(_ digits: [UInt8]) -> Int? {
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { Array($0.utf8) }

    private static func month(_ word: [UInt8]) -> Int? {
        guard word.count >= 3 else { return nil }
        let prefix = FieldName.lowercased(word.prefix(3))
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    /// `+hhmm` / `-hhmm`, or an obsolete name (military and unknown zones: 0).
    private static func zoneMinutes(_ word: [UInt8]) -> Int {
        if word.count == 5, word[0] == UInt8(ascii: "+") || word[0] == UInt8(ascii: "-"),
           let hhmm = number(Array(word[1...])) {
            let minutes = hhmm / 100 * 60 + hhmm % 100
            return word[0] == UInt8(ascii: "-") ? -minutes : minutes
        }
        switch String(decoding: FieldName.lowercased(word), as: UTF8.self) {
        case "edt": return -4 * 60
        case "est", "cdt": return -5 * 60
        case "cst", "mdt": return -6 * 60
        case "mst", "pdt": return -7 * 60
        case "pst": return -8 * 60
        default: return 0
        }
    }
}

extension MessageStructure {
    /// The top-level Date header, parsed; nil when absent or unparseable.
    public func sentDate(in message: UnsafeRawBufferPointer) -> MessageDate? {
        let bytes = MessageBytes(message)
        guard bytes.count >= messageSize else { return nil }
        let name = Array("date".utf8)
        guard let field = fields[parts[0].fieldRange].first(where: { FieldName.equals(bytes.buffer($0.name), name) })
        else { return nil }
        return MessageDate(parsing: bytes.buffer(field.rawValue))
    }
}
