/// A calendar day as SEARCH uses it (`1-Feb-1994`), without time or zone.
///
///     date-text = date-day "-" date-month "-" date-year
public struct IMAPDate: Hashable, Sendable {
    public var year: Int
    /// 1 ... 12
    public var month: Int
    /// 1 ... 31
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The month abbreviations of `date-month`, in calendar order.
    static let monthNames: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
}

/// A moment with its zone, as INTERNALDATE and APPEND carry it
/// (`"17-Jul-1996 02:44:25 -0700"`).
///
///     date-time = DQUOTE date-day-fixed "-" date-month "-" date-year
///                 SP time SP zone DQUOTE
public struct IMAPDateTime: Hashable, Sendable {
    public var date: IMAPDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Minutes east of Greenwich: `-0700` is -420.
    public var zoneMinutes: Int

    public init(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }
}
