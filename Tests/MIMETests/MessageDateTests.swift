import MIME
import Testing

@Suite struct MessageDateTests {
    @Test(arguments: [
        ("Thu, 15 Feb 2007 01:02:03 +0200", MessageDate(year: 2007, month: 2, day: 15, hour: 1, minute: 2, second: 3, zoneMinutes: 120)),
        ("15 Feb 2007 01:02 -0530 (IST)", MessageDate(year: 2007, month: 2, day: 15, hour: 1, minute: 2, second: 0, zoneMinutes: -330)),
        ("Mon, 7 Feb 94 21:52:25 PST", MessageDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)),
        ("Sat,  1 Jan 05 00:00:00 GMT", MessageDate(year: 2005, month: 1, day: 1, hour: 0, minute: 0, second: 0, zoneMinutes: 0)),
        ("Tue, 1 January 2030 12:00:00", MessageDate(year: 2030, month: 1, day: 1, hour: 12, minute: 0, second: 0, zoneMinutes: 0)),
    ])
    func parses(_ text: String, _ expected: MessageDate) {
        #expect(MessageDate(parsing: Array(text.utf8)) == expected)
    }

    @Test(arguments: ["", "yesterday", "32 Jan 2007 00:00", "1 Foo 2007 00:00", "1 Jan 2007 25:00", "1 Jan 2007"])
    func rejects(_ text: String) {
        #expect(MessageDate(parsing: Array(text.utf8)) == nil)
    }

    @Test func instantAccountsForTheZone() {
        let date = MessageDate(parsing: Array("Thu, 01 Jan 1970 02:00:00 +0200".utf8))
        #expect(date?.secondsSince1970 == 0)
        let later = MessageDate(parsing: Array("Sun, 9 Sep 2001 01:46:40 +0000".utf8))
        #expect(later?.secondsSince1970 == 1_000_000_000)
    }

    @Test func sentDateComesFromTheTopLevelHeader() {
        let message = Corpus.simple.bytes
        let date = message.withUnsafeBytes { MessageStructure(parsing: message).sentDate(in: $0) }
        #expect(date == MessageDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480))
    }
}
