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

    /// The same names in upper case, for case-insensitive matching.
    static let upperCaseMonthNames: [StaticString] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ]
}
