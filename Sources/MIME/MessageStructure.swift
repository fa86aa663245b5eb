/// The parsed structure of one stored message: every MIME part with the byte
/// ranges of its header, fields and body, and the ready-to-send IMAP renderings of
/// ENVELOPE, BODYSTRUCTURE and BODY.
///
/// Built once when a message is appended or imported (`init(parsing:)`), persisted
/// beside the message with `serialized()` / `init(serialized:)`, and used by FETCH
/// and SEARCH without parsing the message again. All ranges are offsets into the
/// exact bytes that were parsed.
public struct MessageStructure: Hashable, Sendable {
    /// Size in bytes of the parsed message.
    public let messageSize: Int
    /// Every MIME entity, in the order they appear; `parts[0]` is the message.
    public let parts: [MessagePart]
    /// Header fields of all parts; a part's are `fields[part.fieldRange]`.
    public let fields: [HeaderField]
    /// The ENVELOPE value, as sent after `ENVELOPE ` in a FETCH response.
    public let envelope: [UInt8]
    /// The BODYSTRUCTURE value (with extension data).
    public let bodyStructure: [UInt8]
    /// The BODY value (BODYSTRUCTURE without extension data).
    public let body: [UInt8]

    /// Parses `message` (RFC 5322 + MIME). Never fails: malformed input falls back
    /// to the RFC defaults; time is linear in the size for bounded `limits`.
    public init(parsing message: UnsafeRawBufferPointer, limits: ParseLimits = ParseLimits()) {
        let bytes = MessageBytes(message)
        var parser = MessageParser(bytes: bytes, limits: limits)
        parser.parseMessage()
        let parts = parser.parts
        let fields = parser.fields
        let renderer = BodyStructureRenderer(bytes: bytes, parts: parts, fields: fields, contents: parser.contents)
        var envelope = IMAPWriter(capacity: 512)
        EnvelopeRenderer(bytes: bytes, fields: fields).render(parser.contents[0].headers, into: &envelope)
        var extended = IMAPWriter(capacity: 256)
        renderer.render(0, extended: true, into: &extended)
        var basic = IMAPWriter(capacity: 256)
        renderer.render(0, extended: false, into: &basic)
        self.init(messageSize: bytes.count, parts: parts, fields: fields,
                  envelope: envelope.bytes, bodyStructure: extended.bytes, body: basic.bytes)
    }

    /// Parses a message held in an array (convenience for tests and small inputs).
    public init(parsing message: [UInt8], limits: ParseLimits = ParseLimits()) {
        self = message.withUnsafeBytes { MessageStructure(parsing: $0, limits: limits) }
    }

    init(messageSize: Int, parts: [MessagePart], fields: [HeaderField],
         envelope: [UInt8], bodyStructure: [UInt8], body: [UInt8]) {
        self.messageSize = messageSize
        self.parts = parts
        self.fields = fields
        self.envelope = envelope
        self.bodyStructure = bodyStructure
        self.body = body
    }

    /// The header fields of `part`.
    public func fields(of part: MessagePart) -> ArraySlice<HeaderField> {
        fields[part.fieldRange]
    }

    /// The children of the part at `index`, in order.
    public func children(of index: Int) -> [Int] {
        var result: [Int] = []
        var child = parts[index].firstChild
        while let current = child {
            result.append(current)
            child = parts[current].nextSibling
        }
        return result
    }
}
