import IMAPCodec
import MailStore

extension InternalDate {
    /// The date as FETCH INTERNALDATE shows it: civil time in the zone it was given in.
    var wireDateTime: IMAPDateTime {
        let zone = Int64(zoneMinutes)
        let local = secondsSinceEpoch + zone * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        return IMAPDateTime(
            date: IMAPDate(year: year, month: month, day: day),
            hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            zoneMinutes: Int(zone))
    }

    /// An APPEND date-time as the store keeps it.
    init(_ wire: IMAPDateTime) {
        let days = Int64(CivilDate.days(year: wire.date.year, month: wire.date.month, day: wire.date.day))
        let local = days * 86_400 + Int64(wire.hour * 3600 + wire.minute * 60 + wire.second)
        self.init(secondsSinceEpoch: local - Int64(wire.zoneMinutes) * 60, zoneMinutes: Int16(wire.zoneMinutes))
    }

    /// Year, month (1…12), day of a day number (days since 1970-01-01), proleptic
    /// Gregorian; the inverse of `CivilDate.days`.
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
