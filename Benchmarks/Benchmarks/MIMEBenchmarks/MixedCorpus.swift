/// A deterministic mixed corpus of messages shaped like a real mailbox: plain
/// notes, HTML newsletters (multipart/alternative, quoted-printable), messages with
/// base64 attachments, and forwards (message/rfc822 inside multipart/mixed).
enum MixedCorpus {
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.utf8).flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
    }

    static func traceHeader(_ index: Int) -> String {
        var header = ""
        for hop in 0..<6 {
            header += """
                Received: from relay\(hop).example.net (relay\(hop).example.net [192.0.2.\(hop)])
                \tby mx.example.org (Postfix) with ESMTPS id \(index)A\(hop)
                \tfor <user@example.org>; Tue, 14 Nov 2023 10:0\(hop):00 +0100 (CET)

                """
        }
        return header + """
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=mail;
            \th=from:to:subject:date; bh=\(String(repeating: "Q", count: 44));
            \tb=\(String(repeating: "abcdEFGH", count: 40))
            From: "Sender \(index)" <sender\(index)@example.net>
            To: User <user@example.org>, "Other, Person" <other@example.org>
            Cc: team: a@example.org, b@example.org;
            Subject: =?UTF-8?Q?Message_n=C2=B0_\(index)?= about things
            Date: Tue, 14 Nov 2023 10:00:00 +0100
            Message-ID: <\(index).\(index * 7)@example.net>
            In-Reply-To: <\(index - 1)@example.net>
            MIME-Version: 1.0

            """
    }

    static func prose(lines: Int, seed: Int) -> String {
        var text = ""
        for line in 0..<lines {
            text += "Line \(line + seed): the quick brown fox jumps over the lazy dog, again and again.\n"
        }
        return text
    }

    static func base64Block(bytes: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var text = ""
        var produced = 0
        var state: UInt32 = 12345
        while produced < bytes {
            var line = ""
            for _ in 0..<76 {
                state = state &* 1_103_515_245 &+ 12345
                line.append(alphabet[Int(state >> 16) & 63])
            }
            text += line + "\n"
            produced += 57
        }
        return text
    }

    static func plain(_ index: Int) -> [UInt8] {
        crlf(traceHeader(index) + "Content-Type: text/plain; charset=utf-8\n\n" + prose(lines: 40, seed: index))
    }

    static func newsletter(_ index: Int) -> [UInt8] {
        crlf(traceHeader(index) + """
            Content-Type: multipart/alternative; boundary="=_alt_\(index)"

            --=_alt_\(index)
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            \(prose(lines: 80, seed: index))
            --=_alt_\(index)
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <html><body>
            \(prose(lines: 160, seed: index))</body></html>
            --=_alt_\(index)--

            """)
    }

    static func withAttachment(_ index: Int, size: Int) -> [UInt8] {
        crlf(traceHeader(index) + """
            Content-Type: multipart/mixed; boundary="=_mix_\(index)"

            --=_mix_\(index)
            Content-Type: text/plain; charset=utf-8

            \(prose(lines: 10, seed: index))
            --=_mix_\(index)
            Content-Type: application/pdf; name="report-\(index).pdf"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="report-\(index).pdf"

            \(base64Block(bytes: size))
            --=_mix_\(index)--

            """)
    }

    static func forward(_ index: Int) -> [UInt8] {
        let inner = String(decoding: withAttachment(index + 1000, size: 30_000), as: UTF8.self)
            .replacingLineEnds()
        return crlf(traceHeader(index) + """
            Content-Type: multipart/mixed; boundary="=_fwd_\(index)"

            --=_fwd_\(index)
            Content-Type: text/plain; charset=utf-8

            See the forwarded message.
            --=_fwd_\(index)
            Content-Type: message/rfc822

            \(inner)
            --=_fwd_\(index)--

            """)
    }

    /// About 4 MB: counts chosen so attachments carry most bytes, as in real stores.
    static let messages: [[UInt8]] = {
        var messages: [[UInt8]] = []
        for index in 0..<40 {
            messages.append(plain(index))
            if index % 2 == 0 { messages.append(newsletter(index)) }
            if index % 4 == 0 { messages.append(withAttachment(index, size: 120_000)) }
            if index % 8 == 0 { messages.append(forward(index)) }
        }
        return messages
    }()

    static let totalBytes = messages.reduce(0) { $0 + $1.count }
}

extension String {
    /// CRLF back to LF, so `crlf` does not double the CRs of an embedded message.
    fileprivate func replacingLineEnds() -> String {
        String(decoding: Array(utf8).filter { $0 != 0x0D }, as: UTF8.self)
    }
}
