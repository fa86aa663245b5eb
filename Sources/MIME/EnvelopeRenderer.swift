/// Renders the ENVELOPE of a message (RFC 9051 §7.5.2 and the `envelope` rule of
/// §9) from its header fields.
///
/// - Date, Subject, In-Reply-To and Message-ID: NIL when absent, the value with
///   line breaks removed and surrounding white space trimmed when present (so a
///   present but empty field is "").
/// - Sender and Reply-To default to From when absent or without any address.
/// - An address list with no address is NIL; the first occurrence of a field wins.
struct EnvelopeRenderer {
    let bytes: MessageBytes
    let fields: [HeaderField]

    func render(_ headers: PartHeaders, into writer: inout IMAPWriter) {
        writer.open()
        text(headers.date, &writer)
        writer.space()
        text(headers.subject, &writer)
        writer.space()
        let from = addresses(headers.from)
        list(from, &writer)
        writer.space()
        let sender = addresses(headers.sender)
        list(sender.isEmpty ? from : sender, &writer)
        writer.space()
        let replyTo = addresses(headers.replyTo)
        list(replyTo.isEmpty ? from : replyTo, &writer)
        writer.space()
        list(addresses(headers.to), &writer)
        writer.space()
        list(addresses(headers.cc), &writer)
        writer.space()
        list(addresses(headers.bcc), &writer)
        writer.space()
        text(headers.inReplyTo, &writer)
        writer.space()
        text(headers.messageID, &writer)
        writer.close()
    }

    private func text(_ field: Int?, _ writer: inout IMAPWriter) {
        guard let field else {
            writer.nilAtom()
            return
        }
        writer.unfoldedString(bytes, fields[field].rawValue)
    }

    private func addresses(_ field: Int?) -> [EnvelopeAddress] {
        guard let field else { return [] }
        return AddressList.parse(bytes, value: fields[field].rawValue)
    }

    private func list(_ addresses: [EnvelopeAddress], _ writer: inout IMAPWriter) {
        guard !addresses.isEmpty else {
            writer.nilAtom()
            return
        }
        writer.open()
        for address in addresses {
            writer.open()
            writer.nstring(address.name)
            writer.space()
            writer.nstring(address.route)
            writer.space()
            writer.nstring(address.mailbox)
            writer.space()
            writer.nstring(address.host)
            writer.close()
        }
        writer.close()
    }
}
