/// A parsed Content-Type (RFC 2045 §5.1) or its default.
struct ContentType {
    var type: [UInt8]
    var subtype: [UInt8]
    var parameters: [MIMEParameter]
    /// True when no valid Content-Type was present and the RFC default applies.
    var isDefault: Bool

    /// RFC 2045 §5.2: `text/plain; charset=us-ascii` when absent or invalid.
    static let textPlainDefault = ContentType(
        type: Array("TEXT".utf8), subtype: Array("PLAIN".utf8),
        parameters: [MIMEParameter(name: Array("CHARSET".utf8), value: Array("US-ASCII".utf8))],
        isDefault: true)

    /// RFC 2046 §5.1.5: the default inside multipart/digest.
    static let messageRFC822Default = ContentType(
        type: Array("MESSAGE".utf8), subtype: Array("RFC822".utf8), parameters: [], isDefault: true)

    /// Parses `type "/" subtype *(";" parameter)`; nil when the value is invalid.
    static func parse(_ bytes: MessageBytes, value: ByteRange) -> ContentType? {
        var tokenizer = HeaderTokenizer(bytes, range: value, specials: .mime)
        var next = tokenizer.next()
        while case .comment? = next { next = tokenizer.next() }
        guard case .atom(let typeRange)? = next,
              tokenizer.next() == .special(UInt8(ascii: "/")),
              case .atom(let subtypeRange)? = tokenizer.next()
        else { return nil }
        let parameters = MIMEParameterList.parse(&tokenizer)
        return ContentType(type: bytes.copy(typeRange), subtype: bytes.copy(subtypeRange),
                           parameters: parameters, isDefault: false)
    }

    func isType(_ lowercase: StaticString) -> Bool { FieldName.equals(type, lowercase) }
    func isSubtype(_ lowercase: StaticString) -> Bool { FieldName.equals(subtype, lowercase) }

    /// The first parameter whose name equals `lowercaseName` ignoring ASCII case.
    func parameter(_ lowercaseName: StaticString) -> [UInt8]? {
        parameters.first { FieldName.equals($0.name, lowercaseName) }?.value
    }
}

/// A parsed Content-Disposition (RFC 2183): a type and parameters.
struct ContentDisposition {
    var type: [UInt8]
    var parameters: [MIMEParameter]

    static func parse(_ bytes: MessageBytes, value: ByteRange) -> ContentDisposition? {
        var tokenizer = HeaderTokenizer(bytes, range: value, specials: .mime)
        var next = tokenizer.next()
        while case .comment? = next { next = tokenizer.next() }
        guard case .atom(let typeRange)? = next else { return nil }
        return ContentDisposition(type: bytes.copy(typeRange), parameters: MIMEParameterList.parse(&tokenizer))
    }
}

/// The Content-Language tags (RFC 3282): a comma-separated list.
enum ContentLanguage {
    static func parse(_ bytes: MessageBytes, value: ByteRange) -> [[UInt8]] {
        var tokenizer = HeaderTokenizer(bytes, range: value, specials: .mime)
        var tags: [[UInt8]] = []
        while let token = tokenizer.next(), tags.count < 64 {
            if case .atom(let range) = token { tags.append(bytes.copy(range)) }
        }
        return tags
    }
}
