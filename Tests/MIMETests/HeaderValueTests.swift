import MIME
import Testing

@Suite struct HeaderValueTests {
    static let message = CorpusMessage.crlf("""
        From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>
        To: team: a@x.org, "B, b" <b@y.org>;, c@z.org
        Subject: =?UTF-8?B?w6l0w6k=?=
         continued
        Subject: second

        """)

    @Test func decodedValuesAreUnfoldedAndDecoded() {
        let values = Self.message.withUnsafeBytes {
            MessageStructure(parsing: Self.message).decodedHeaderValues(named: "SUBJECT", in: $0)
        }
        #expect(values == ["été continued", "second"])
    }

    @Test func mailboxesCarryDecodedNamesAndGroups() {
        let structure = MessageStructure(parsing: Self.message)
        let (from, to) = Self.message.withUnsafeBytes {
            (structure.mailboxes(named: "from", in: $0), structure.mailboxes(named: "To", in: $0))
        }
        #expect(from == [MailboxAddress(displayName: "André", mailbox: "andre", host: "example.fr", group: nil)])
        #expect(to == [
            MailboxAddress(displayName: nil, mailbox: "a", host: "x.org", group: "team"),
            MailboxAddress(displayName: "B, b", mailbox: "b", host: "y.org", group: "team"),
            MailboxAddress(displayName: nil, mailbox: "c", host: "z.org", group: nil),
        ])
    }
}
