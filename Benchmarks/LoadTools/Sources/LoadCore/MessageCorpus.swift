import IMAPCodec

/// A deterministic mailbox of varied messages for the message-level workloads
/// (`fetch-headers`, `store`, `search`): message `serial` (0-based, sequence number
/// `serial + 1`) has a sender, a subject topic, a sent day, flags and a body token that
/// follow from `serial` alone, so every SEARCH answer can be checked exactly against
/// ``matches(_:serial:)`` without asking the server anything else.
///
/// Tokens have a fixed width (`sender-07`, `topic-042`, `needle-0042`) so one never is
/// a substring of another and a substring search matches exactly the intended messages.
public enum MessageCorpus {
    public static let senders = 50
    public static let topics = 1000
    public static let days = 1000
    public static let needles = 10_000
    /// The smallest size every corpus header (user names up to 32 bytes) fits in.
    public static let minimumSize = 640
    /// Day 0 of ``days``: 2024-01-01.
    static let firstDay = IMAPDate(year: 2024, month: 1, day: 1)

    public static func sender(_ serial: Int) -> Int { serial % senders }
    /// 7 is coprime with 1000, so each topic has the same number of messages and a
    /// topic says nothing about the sender.
    public static func topic(_ serial: Int) -> Int { (serial * 7) % topics }
    public static func day(_ serial: Int) -> Int { serial % days }
    public static func needle(_ serial: Int) -> Int { (serial * 13) % needles }

    /// \Seen on two in three, \Flagged on one in ten, \Answered on one in seven; never
    /// \Draft, which the `store` workload toggles.
    public static func flags(_ serial: Int) -> [Flag] {
        var flags: [Flag] = []
        if serial % 3 != 0 { flags.append(.seen) }
        if serial % 10 == 0 { flags.append(.flagged) }
        if serial % 7 == 0 { flags.append(.answered) }
        return flags
    }

    public static func senderText(_ index: Int) -> String { "sender-" + padded(index, 2) }
    public static func topicText(_ index: Int) -> String { "topic-" + padded(index, 3) + " report" }
    public static func needleText(_ index: Int) -> String { "needle-" + padded(index, 4) }

    /// The calendar date `day` days after 2024-01-01.
    public static func date(ofDay day: Int) -> IMAPDate {
        var (year, month, remaining) = (firstDay.year, 1, day)
        while true {
            let length = daysIn(month: month, year: year)
            if remaining < length { return IMAPDate(year: year, month: month, day: remaining + 1) }
            remaining -= length
            month += 1
            if month > 12 { (month, year) = (1, year + 1) }
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The internal date given at APPEND: noon UTC of the sent day, so no time zone moves
    /// it to another day on either side.
    public static func internalDate(_ serial: Int) -> IMAPDateTime {
        IMAPDateTime(date: date(ofDay: day(serial)), hour: 12, minute: 0, second: 0, zoneMinutes: 0)
    }

    /// Message `serial` of exactly `size` bytes (≥ ``minimumSize``).
    public static func message(size: Int, serial: Int, user: String) -> [UInt8] {
        let date = date(ofDay: day(serial))
        let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.month - 1]
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day(serial) % 7]  // 2024-01-01 was a Monday
        let sender = senderText(sender(serial))
        var bytes = Array("""
            From: \(sender) <\(sender)@corpus.invalid>\r
            To: \(user)@load.invalid\r
            Subject: corpus message \(serial) about \(topicText(topic(serial)))\r
            Date: \(weekday), \(date.day) \(monthName) \(date.year) 12:00:00 +0000\r
            Message-ID: <corpus.\(serial).\(user)@load.invalid>\r
            Content-Type: text/plain; charset=us-ascii\r
            \r
            Body of corpus message \(serial), carrying \(needleText(needle(serial))) once.\r

            """.utf8)
        MessageFactory.pad(&bytes, to: size, with: Array("Filler text so the message has the size asked for; it names no token at all.".utf8))
        return bytes
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// The searches the `search` workload runs, each a named operation with the SEARCH key
/// it sends for a parameter and the rule deciding which corpus messages must match.
public enum CorpusSearch: String, Sendable, CaseIterable {
    case flagged, unseen, from, subject
    case sentRange = "sent-range"
    case internalRange = "internal-range"
    case body, text

    /// Flag and header searches plus both date ranges: what a client runs all day.
    public static let typical: [CorpusSearch] = [.flagged, .unseen, .from, .subject, .sentRange, .internalRange]

    /// Days a date-range search spans.
    public static let rangeDays = 30

    public var operationName: String { "SEARCH " + rawValue.uppercased() }

    /// How many distinct parameters the search draws from.
    public var parameterCount: Int {
        switch self {
        case .flagged, .unseen: 1
        case .from: MessageCorpus.senders
        case .subject: MessageCorpus.topics
        case .sentRange, .internalRange: MessageCorpus.days - Self.rangeDays
        case .body, .text: MessageCorpus.needles
        }
    }

    public func key(parameter: Int) -> SearchKey {
        switch self {
        case .flagged: .flagged
        case .unseen: .unseen
        case .from: .from(MessageCorpus.senderText(parameter))
        case .subject: .subject(MessageCorpus.topicText(parameter))
        case .sentRange:
            .and([.sentSince(MessageCorpus.date(ofDay: parameter)), .sentBefore(MessageCorpus.date(ofDay: parameter + Self.rangeDays))])
        case .internalRange:
            .and([.since(MessageCorpus.date(ofDay: parameter)), .before(MessageCorpus.date(ofDay: parameter + Self.rangeDays))])
        case .body: .body(MessageCorpus.needleText(parameter))
        case .text: .text(MessageCorpus.needleText(parameter))
        }
    }

    /// Whether corpus message `serial` must match `key(parameter:)`.
    public func matches(_ parameter: Int, serial: Int) -> Bool {
        switch self {
        case .flagged: serial % 10 == 0
        case .unseen: serial % 3 == 0
        case .from: MessageCorpus.sender(serial) == parameter
        case .subject: MessageCorpus.topic(serial) == parameter
        case .sentRange, .internalRange:
            (parameter..<(parameter + Self.rangeDays)).contains(MessageCorpus.day(serial))
        case .body, .text: MessageCorpus.needle(serial) == parameter
        }
    }

    /// Parses a comma-separated list such as `flagged,from,body`.
    public static func parseList(_ text: String) throws(LoadError) -> [CorpusSearch] {
        var list: [CorpusSearch] = []
        for name in text.split(separator: ",") {
            guard let search = CorpusSearch(rawValue: String(name)) else {
                throw LoadError("usage", "unknown search \(name); use \(allCases.map(\.rawValue).joined(separator: " "))")
            }
            list.append(search)
        }
        guard !list.isEmpty else { throw LoadError("usage", "no searches given") }
        return list
    }
}
