/// Renders BODYSTRUCTURE (with extension data) and BODY (without) for a parsed
/// message, following the `body` rule of RFC 9051 §9 and the field list of §7.5.2.
///
/// - A part without a valid Content-Type is `"TEXT" "PLAIN" ("CHARSET" "US-ASCII")`;
///   a text part without parameters gets `("CHARSET" "US-ASCII")` (RFC 2045 §5.2).
/// - Encoding is the Content-Transfer-Encoding token as sent, "7BIT" when absent
///   or empty.
/// - Sizes are the encoded body size; lines, for text/* and message/rfc822|global
///   parts (the latter also carry ENVELOPE and BODY), are the LFs in the body —
///   a last line without one is not counted, as in Dovecot, and the line break
///   before a boundary belongs to the boundary (RFC 2046 §5.1.1).
/// - Extension data is always complete up to body location, NIL where absent.
struct BodyStructureRenderer {
    let bytes: MessageBytes
    let parts: [MessagePart]
    let fields: [HeaderField]
    let contents: [PartContent]

    /// BODYSTRUCTURE when `extended`, BODY otherwise, of the part at `index`.
    func render(_ index: Int, extended: Bool, into writer: inout IMAPWriter) {
        let part = parts[index]
        let content = contents[index]
        let type = content.contentType
        writer.open()
        if part.kind == .multipart {
            var child = part.firstChild
            while let current = child {
                render(current, extended: extended, into: &writer)
                child = parts[current].nextSibling
            }
            writer.space()
            writer.string(type.subtype)
            if extended {
                writer.space()
                parameters(type.parameters, &writer)
                writer.space()
                dispositionLanguageLocation(content.headers, &writer)
            }
            writer.close()
            return
        }
        writer.string(type.type)
        writer.space()
        writer.string(type.subtype)
        writer.space()
        if type.parameters.isEmpty, part.isText {
            parameters(ContentType.textPlainDefault.parameters, &writer)
        } else {
            parameters(type.parameters, &writer)
        }
        writer.space()
        fieldValue(content.headers.contentID, &writer)
        writer.space()
        fieldValue(content.headers.contentDescription, &writer)
        writer.space()
        if let encoding = content.headers.transferEncoding,
           case let token = bytes.firstAtom(of: fields[encoding].rawValue), !token.isEmpty {
            writer.string(token)
        } else {
            writer.string(Self.sevenBit)
        }
        writer.space()
        writer.number(part.body.count)
        if part.kind == .message, let child = part.firstChild {
            writer.space()
            EnvelopeRenderer(bytes: bytes, fields: fields).render(contents[child].headers, into: &writer)
            writer.space()
            render(child, extended: extended, into: &writer)
            writer.space()
            writer.number(content.lines)
        } else if part.isText {
            writer.space()
            writer.number(content.lines)
        }
        if extended {
            writer.space()
            fieldValue(content.headers.contentMD5, &writer)
            writer.space()
            dispositionLanguageLocation(content.headers, &writer)
        }
        writer.close()
    }

    private static let sevenBit = Array("7BIT".utf8)

    private func fieldValue(_ field: Int?, _ writer: inout IMAPWriter) {
        guard let field else {
            writer.nilAtom()
            return
        }
        writer.unfoldedString(bytes, fields[field].rawValue)
    }

    private func parameters(_ parameters: [MIMEParameter], _ writer: inout IMAPWriter) {
        guard !parameters.isEmpty else {
            writer.nilAtom()
            return
        }
        writer.open()
        for (position, parameter) in parameters.enumerated() {
            if position > 0 { writer.space() }
            writer.string(parameter.name)
            writer.space()
            writer.string(parameter.value)
        }
        writer.close()
    }

    /// body-fld-dsp SP body-fld-lang SP body-fld-loc
    private func dispositionLanguageLocation(_ headers: PartHeaders, _ writer: inout IMAPWriter) {
        if let field = headers.contentDisposition,
           let disposition = ContentDisposition.parse(bytes, value: fields[field].rawValue) {
            writer.open()
            writer.string(disposition.type)
            writer.space()
            parameters(disposition.parameters, &writer)
            writer.close()
        } else {
            writer.nilAtom()
        }
        writer.space()
        let languages = headers.contentLanguage.map { ContentLanguage.parse(bytes, value: fields[$0].rawValue) } ?? []
        switch languages.count {
        case 0:
            writer.nilAtom()
        case 1:
            writer.string(languages[0])
        default:
            writer.open()
            for (position, language) in languages.enumerated() {
                if position > 0 { writer.space() }
                writer.string(language)
            }
            writer.close()
        }
        writer.space()
        fieldValue(headers.contentLocation, &writer)
    }
}
