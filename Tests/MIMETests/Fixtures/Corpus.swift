/// Real-world-shaped messages with their ENVELOPE, BODYSTRUCTURE and BODY written
/// out by hand from RFC 9051 §7.5.2 (sizes and line counts — LFs in the body — by hand; the
/// CRLF before a boundary line belongs to the boundary, RFC 2046 §5.1.1).
struct CorpusMessage: CustomStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var envelope: [UInt8]
    var bodyStructure: String
    var body: String

    var description: String { name }

    /// `text` with every LF turned into CRLF, as messages are stored.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.utf8).flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
    }
}

enum Corpus {
    static let textPlain = "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\""

    static let simple = CorpusMessage(
        name: "simple text, no Content-Type",
        bytes: CorpusMessage.crlf("""
            From: "Doe, John" <john@example.com>
            To: Mary <mary@x.org>, bob@y.org
            Subject: Hello
            Date: Mon, 7 Feb 1994 21:52:25 -0800
            Message-ID: <1@x>

            Line one
            Line two

            """),
        envelope: Array("""
            ("Mon, 7 Feb 1994 21:52:25 -0800" "Hello" (("Doe, John" NIL "john" "example.com")) \
            (("Doe, John" NIL "john" "example.com")) (("Doe, John" NIL "john" "example.com")) \
            (("Mary" NIL "mary" "x.org")(NIL NIL "bob" "y.org")) NIL NIL NIL "<1@x>")
            """.utf8),
        bodyStructure: textPlain + " 20 2 NIL NIL NIL NIL)",
        body: textPlain + " 20 2)")

    static let alternative = CorpusMessage(
        name: "multipart/alternative, quoted-printable, encoded-word subject",
        bytes: CorpusMessage.crlf("""
            From: a@b.c
            Subject: =?UTF-8?Q?caf=C3=A9?=
            Content-Type: multipart/alternative; boundary=XX

            --XX
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            caf=C3=A9
            --XX
            Content-Type: text/html; charset="utf-8"

            <p>caf&eacute;</p>
            --XX--

            """),
        envelope: Array("""
            (NIL "=?UTF-8?Q?caf=C3=A9?=" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) \
            NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 9 0 NIL NIL NIL NIL)\
            ("text" "html" ("charset" "utf-8") NIL NIL "7BIT" 18 0 NIL NIL NIL NIL) \
            "alternative" ("boundary" "XX") NIL NIL NIL)
            """,
        body: """
            (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 9 0)\
            ("text" "html" ("charset" "utf-8") NIL NIL "7BIT" 18 0) "alternative")
            """)

    static let mixed = CorpusMessage(
        name: "multipart/mixed with an attachment and all extension fields",
        bytes: CorpusMessage.crlf("""
            From: Sender <s@example.org>
            To: undisclosed-recipients:;
            Subject: Report
            Date: Tue, 1 Jan 2030 00:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="=_b1"
            Content-Language: en, de

            This is a preamble.
            --=_b1
            Content-Type: text/plain

            See attached.
            --=_b1
            Content-Type: application/pdf; name="r.pdf"
            Content-Transfer-Encoding: base64
            Content-ID: <pdf1@example.org>
            Content-Description: The report
            Content-Disposition: attachment; filename="r.pdf"; size=6
            Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
            Content-Language: en
            Content-Location: http://example.org/r.pdf

            SGVsbG8h
            --=_b1--
            epilogue

            """),
        envelope: Array("""
            ("Tue, 1 Jan 2030 00:00:00 +0000" "Report" (("Sender" NIL "s" "example.org")) \
            (("Sender" NIL "s" "example.org")) (("Sender" NIL "s" "example.org")) \
            ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            (("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 13 0 NIL NIL NIL NIL)\
            ("application" "pdf" ("name" "r.pdf") "<pdf1@example.org>" "The report" "base64" 8 \
            "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "r.pdf" "size" "6")) "en" \
            "http://example.org/r.pdf") "mixed" ("boundary" "=_b1") NIL ("en" "de") NIL)
            """,
        body: """
            (("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 13 0)\
            ("application" "pdf" ("name" "r.pdf") "<pdf1@example.org>" "The report" "base64" 8) "mixed")
            """)

    static let innerEnvelope = """
        (NIL "inner" ((NIL NIL "inner" "example.com")) ((NIL NIL "inner" "example.com")) \
        ((NIL NIL "inner" "example.com")) NIL NIL NIL NIL "<inner@example.com>")
        """

    static let nested = CorpusMessage(
        name: "message/rfc822 inside multipart/mixed",
        bytes: CorpusMessage.crlf("""
            From: outer@example.com
            Subject: Fwd: inner
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: text/plain; charset=us-ascii

            Forwarded below.
            --outer
            Content-Type: message/rfc822

            From: inner@example.com
            Subject: inner
            Message-ID: <inner@example.com>

            Inner body
            line 2
            --outer--

            """),
        envelope: Array("""
            (NIL "Fwd: inner" ((NIL NIL "outer" "example.com")) ((NIL NIL "outer" "example.com")) \
            ((NIL NIL "outer" "example.com")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            (("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 16 0 NIL NIL NIL NIL)\
            ("message" "rfc822" NIL NIL NIL "7BIT" 94 \(innerEnvelope) \
            \(textPlain) 18 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL) \
            "mixed" ("boundary" "outer") NIL NIL NIL)
            """,
        body: """
            (("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 16 0)\
            ("message" "rfc822" NIL NIL NIL "7BIT" 94 \(innerEnvelope) \(textPlain) 18 1) 5) "mixed")
            """)

    static let rfc2231 = CorpusMessage(
        name: "RFC 2231 continuations and a charset'language' filename",
        bytes: CorpusMessage.crlf("""
            From: x@y.z
            Content-Type: application/octet-stream; name*0="long"; name*1="name.bin"
            Content-Disposition: attachment;
             filename*0*=iso-8859-1'fr'caf%E9%20;
             filename*1=" menu.txt"
            Content-Transfer-Encoding: base64

            AAAA

            """),
        envelope: Array("""
            (NIL NIL ((NIL NIL "x" "y.z")) ((NIL NIL "x" "y.z")) ((NIL NIL "x" "y.z")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            ("application" "octet-stream" ("name" "longname.bin") NIL NIL "base64" 6 NIL \
            ("attachment" ("filename*" "utf-8'fr'caf%C3%A9%20%20menu.txt")) NIL NIL)
            """,
        body: """
            ("application" "octet-stream" ("name" "longname.bin") NIL NIL "base64" 6)
            """)

    static let eightBit = CorpusMessage(
        name: "8-bit header, quotes and folding in the subject, ISO-8859-2 body",
        bytes: CorpusMessage.crlf("""
            From: "Jos\\"e" <j@e.es>
            Subject: say "hi" \\ now
             and then
            X-Latin: Caf\u{E9}
            Content-Type: text/plain; charset=iso-8859-2
            Content-Transfer-Encoding: quoted-printable

            Za=BF=F3=B3=E6 g=EAsi=B1 ja=BC=F1

            """),
        envelope: Array("""
            (NIL "say \\"hi\\" \\\\ now and then" (("Jos\\"e" NIL "j" "e.es")) (("Jos\\"e" NIL "j" "e.es")) \
            (("Jos\\"e" NIL "j" "e.es")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            ("text" "plain" ("charset" "iso-8859-2") NIL NIL "quoted-printable" 35 1 NIL NIL NIL NIL)
            """,
        body: """
            ("text" "plain" ("charset" "iso-8859-2") NIL NIL "quoted-printable" 35 1)
            """)

    static let brokenBoundary = CorpusMessage(
        name: "inner multipart never closed, ended by the outer boundary",
        bytes: CorpusMessage.crlf("""
            From: a@b
            Content-Type: multipart/mixed; boundary=A

            --A
            Content-Type: multipart/alternative; boundary=B

            --B
            Content-Type: text/plain

            one
            --A
            Content-Type: text/plain

            two
            --A--

            """),
        envelope: Array("""
            (NIL NIL ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: """
            ((("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0 NIL NIL NIL NIL) "alternative" \
            ("boundary" "B") NIL NIL NIL)("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0 NIL NIL NIL NIL) \
            "mixed" ("boundary" "A") NIL NIL NIL)
            """,
        body: """
            ((("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0) "alternative")\
            ("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0) "mixed")
            """)

    static let noHeaders = CorpusMessage(
        name: "no header fields at all",
        bytes: CorpusMessage.crlf("\nbody\n"),
        envelope: Array("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".utf8),
        bodyStructure: textPlain + " 6 1 NIL NIL NIL NIL)",
        body: textPlain + " 6 1)")

    static let emptySubject = CorpusMessage(
        name: "present but empty Subject and Message-ID, empty address lists",
        bytes: CorpusMessage.crlf("Subject:\nMessage-ID: \nTo: \nCc: ,\n\nx"),
        envelope: Array("(NIL \"\" NIL NIL NIL NIL NIL NIL NIL \"\")".utf8),
        bodyStructure: textPlain + " 1 0 NIL NIL NIL NIL)",
        body: textPlain + " 1 0)")

    static let bareLF = CorpusMessage(
        name: "bare LF line ends",
        bytes: Array("From: a@b\nSubject: lf\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nhi\n--x--\n".utf8),
        envelope: Array("""
            (NIL "lf" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: "(\(textPlain) 2 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)",
        body: "(\(textPlain) 2 0) \"mixed\")")

    static let noBoundary = CorpusMessage(
        name: "multipart without a boundary falls back to text/plain",
        bytes: CorpusMessage.crlf("Content-Type: multipart/mixed\n\nhello\n"),
        envelope: Array("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".utf8),
        bodyStructure: textPlain + " 7 1 NIL NIL NIL NIL)",
        body: textPlain + " 7 1)")

    static let noParts = CorpusMessage(
        name: "multipart with a boundary that never occurs",
        bytes: CorpusMessage.crlf("Content-Type: multipart/mixed; boundary=q\n\nno parts here\n"),
        envelope: Array("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".utf8),
        bodyStructure: "(\(textPlain) 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"q\") NIL NIL NIL)",
        body: "(\(textPlain) 0 0) \"mixed\")")

    static let digest = CorpusMessage(
        name: "multipart/digest parts default to message/rfc822",
        bytes: CorpusMessage.crlf("""
            Content-Type: multipart/digest; boundary=d

            --d

            From: m@x
            Subject: one

            b1
            --d--

            """),
        envelope: Array("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".utf8),
        bodyStructure: """
            (("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 29 (NIL "one" ((NIL NIL "m" "x")) ((NIL NIL "m" "x")) \
            ((NIL NIL "m" "x")) NIL NIL NIL NIL NIL) \(textPlain) 2 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) \
            "digest" ("boundary" "d") NIL NIL NIL)
            """,
        body: """
            (("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 29 (NIL "one" ((NIL NIL "m" "x")) ((NIL NIL "m" "x")) \
            ((NIL NIL "m" "x")) NIL NIL NIL NIL NIL) \(textPlain) 2 0) 3) "digest")
            """)

    static let truncatedHeader = CorpusMessage(
        name: "header cut off with no line end and no body",
        bytes: Array("From: a@b\r\nSubject: cut".utf8),
        envelope: Array("""
            (NIL "cut" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)
            """.utf8),
        bodyStructure: textPlain + " 0 0 NIL NIL NIL NIL)",
        body: textPlain + " 0 0)")

    static let routesAndComments = CorpusMessage(
        name: "source routes, comments, quoted local parts, missing domains",
        bytes: CorpusMessage.crlf("""
            From: <@a.org,@b.org:joe@c.org>
            Sender: joe (Joe Q. Public)
            Reply-To: "odd local"@example.com (ignored), Ann Other <ann@[10.0.0.1]>
            To: "=?ISO-8859-1?Q?Andr=E9?=" <andre@example.fr>
            Bcc: <>

            .
            """),
        envelope: Array("""
            (NIL NIL ((NIL "@a.org,@b.org" "joe" "c.org")) (("Joe Q. Public" NIL "joe" "MISSING_DOMAIN")) \
            (("ignored" NIL "odd local" "example.com")("Ann Other" NIL "ann" "[10.0.0.1]")) \
            (("=?ISO-8859-1?Q?Andr=E9?=" NIL "andre" "example.fr")) NIL ((NIL NIL "" "")) NIL NIL)
            """.utf8),
        bodyStructure: textPlain + " 1 0 NIL NIL NIL NIL)",
        body: textPlain + " 1 0)")

    static let all: [CorpusMessage] = [
        simple, alternative, mixed, nested, rfc2231, eightBit, brokenBoundary, noHeaders, emptySubject,
        bareLF, noBoundary, noParts, digest, truncatedHeader, routesAndComments,
    ]
}
