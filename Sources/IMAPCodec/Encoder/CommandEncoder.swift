/// Encodes commands the way a client sends them; the load generator's sending side.
///
/// Strings take the shortest form their bytes allow. Literals are `{n+}` under
/// ``LiteralMode/nonSynchronizing`` (LITERAL+, or LITERAL- up to 4096 bytes);
/// otherwise `{n}`, and ``EncodedCommand/continuationPoints`` lists where the client
/// must wait for the server's `+` before sending the rest.
public struct CommandEncoder: Hashable, Sendable {
    public enum LiteralMode: Hashable, Sendable {
        case synchronizing
        case nonSynchronizing
    }

    public var literalMode: LiteralMode
    /// Allows UTF-8 in quoted strings (IMAP4rev2 or UTF8=ACCEPT enabled).
    public var utf8Enabled: Bool

    public init(literalMode: LiteralMode = .nonSynchronizing, utf8Enabled: Bool = true) {
        self.literalMode = literalMode
        self.utf8Enabled = utf8Enabled
    }

    /// Encodes one command, CRLF included.
    public func encode(_ command: TaggedCommand) -> EncodedCommand {
        var writer = CommandWriter(encoder: self)
        writer.buffer.writeText(command.tag)
        writer.buffer.write(0x20)
        writer.writeCommand(command.command)
        writer.buffer.writeCRLF()
        return EncodedCommand(bytes: writer.buffer.bytes, continuationPoints: writer.continuationPoints)
    }
}

/// A command's bytes and where a synchronizing literal makes the client pause.
public struct EncodedCommand: Hashable, Sendable {
    public var bytes: [UInt8]
    /// Offsets into ``bytes`` just after each `{n}` CRLF: send up to there, wait for `+`.
    public var continuationPoints: [Int]
}

/// Accumulates one command; shares ``ResponseBuffer``'s primitives and the response
/// encoder's writers for sets, flags and dates.
struct CommandWriter {
    let encoder: CommandEncoder
    var buffer = ResponseBuffer(capacity: 128)
    var continuationPoints: [Int] = []
    private var shared: ResponseEncoder { ResponseEncoder(utf8Enabled: encoder.utf8Enabled) }

    init(encoder: CommandEncoder) {
        self.encoder = encoder
    }

    mutating func space() { buffer.write(0x20) }

    mutating func keyword(_ text: StaticString) { buffer.write(text) }

    mutating func astring(_ text: String) { string(Array(text.utf8), atomAllowed: true) }

    mutating func quotedOrLiteral(_ text: String) { string(Array(text.utf8), atomAllowed: false) }

    mutating func mailbox(_ name: MailboxName) { astring(name.rawValue) }

    /// An astring or string: atom, quoted, or literal with the configured sync mode.
    mutating func string(_ bytes: [UInt8], atomAllowed: Bool) {
        let quotable = bytes.count <= ResponseBuffer.longestQuoted
            && !bytes.contains { $0 == 0 || $0 == 0x0D || $0 == 0x0A || ($0 >= 0x80 && !encoder.utf8Enabled) }
        if quotable {
            bytes.withUnsafeBytes { buffer.writeString($0, rule: atomAllowed ? .astring : .string, utf8: encoder.utf8Enabled) }
        } else {
            literal(bytes, binary: false)
        }
    }

    mutating func literal(_ bytes: [UInt8], binary: Bool) {
        if binary { buffer.write(UInt8(ascii: "~")) }
        buffer.write(UInt8(ascii: "{"))
        buffer.writeNumber(bytes.count)
        if encoder.literalMode == .nonSynchronizing { buffer.write(UInt8(ascii: "+")) }
        buffer.write(UInt8(ascii: "}"))
        buffer.writeCRLF()
        if encoder.literalMode == .synchronizing { continuationPoints.append(buffer.bytes.count) }
        buffer.writeBytes(bytes)
    }

    mutating func sequenceSet(_ set: SequenceSet) { shared.encodeSequenceSet(set, into: &buffer) }

    mutating func flagList(_ flags: [Flag]) { shared.encodeFlagList(flags, into: &buffer) }

    mutating func list<Item>(_ items: [Item], _ write: (inout CommandWriter, Item) -> Void) {
        buffer.write(UInt8(ascii: "("))
        for (index, item) in items.enumerated() {
            if index > 0 { space() }
            write(&self, item)
        }
        buffer.write(UInt8(ascii: ")"))
    }

    mutating func extensionParameter(_ parameter: ExtensionParameter) {
        buffer.writeText(parameter.name)
        if let value = parameter.value {
            space()
            shared.encodeExtensionValue(value, into: &buffer)
        }
    }

    mutating func date(_ date: IMAPDate) {
        buffer.writeNumber(date.day)
        buffer.write(UInt8(ascii: "-"))
        buffer.write(IMAPDate.monthNames[max(0, min(11, date.month - 1))])
        buffer.write(UInt8(ascii: "-"))
        // date-year = 4DIGIT
        let year = max(0, min(9999, date.year))
        buffer.writeTwoDigits(year / 100)
        buffer.writeTwoDigits(year % 100)
    }

    mutating func dateTime(_ dateTime: IMAPDateTime) { shared.encodeDateTime(dateTime, into: &buffer) }

    mutating func section(_ section: SectionSpecifier) { shared.encodeSection(section, into: &buffer) }

    mutating func statusAttributes(_ attributes: [StatusAttribute]) {
        list(attributes) { writer, attribute in writer.buffer.writeText(attribute.rawValue) }
    }
}
