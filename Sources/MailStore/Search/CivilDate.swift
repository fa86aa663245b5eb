/// Calendar arithmetic for dates without a time zone (proleptic Gregorian).
public enum CivilDate {
    /// Days since 1970-01-01 of a calendar date (month 1…12).
    public static func days(year: Int, month: Int, day: Int) -> Int32 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int32(era * 146_097 + dayOfEra - 719_468)
    }

    /// Month number 1…12 of an English three-letter abbreviation, any case.
    public static func month(named name: some StringProtocol) -> Int? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        return months.firstIndex(of: name.prefix(3).lowercased()).map { $0 + 1 }
    }

    /// Parses the date part of an RFC 5322 `date-time` (e.g. `Tue, 1 Jul 2003
    /// 10:52:37 +0200`) to a day number in the header's own zone.
    public static func sentDay(fromDateHeader value: some StringProtocol) -> Int32? {
        let tokens = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        var index = 0
        if let first = tokens.first, Int(first) == nil { index = 1 } // day-of-week
        guard tokens.count >= index + 3,
              let day = Int(tokens[index]), (1...31).contains(day),
              let month = month(named: tokens[index + 1]),
              var year = Int(tokens[index + 2])
        else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 } // obs-year
        return days(year: year, month: month, day: day)
    }
}
