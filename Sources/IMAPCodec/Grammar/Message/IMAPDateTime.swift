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
