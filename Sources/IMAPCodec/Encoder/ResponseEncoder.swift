/// Encodes typed responses into a caller's ``ResponseBuffer``.
///
///     var output = ResponseBuffer()
///     let encoder = ResponseEncoder(utf8Enabled: session.isRev2)
///     encoder.encode(.untagged(.exists(12)), into: &output)
///     encoder.encode(.tagged(tag: "a1", StatusResponse(.ok, code: .readWrite, "SELECT completed")), into: &output)
public struct ResponseEncoder: Hashable, Sendable {
    /// Allows UTF-8 in quoted strings: true after `ENABLE IMAP4rev2` or `ENABLE UTF8=ACCEPT`.
    public var utf8Enabled: Bool

    public init(utf8Enabled: Bool = false) {
        self.utf8Enabled = utf8Enabled
    }

    /// Appends one response, CRLF included.
    public func encode(_ response: Response, into buffer: inout ResponseBuffer) {
        switch response {
        case .tagged(let tag, let status):
            buffer.writeText(tag)
            buffer.write(0x20)
            encodeStatus(status, into: &buffer)
        case .untagged(let untagged):
            buffer.write("* ")
            encodeUntagged(untagged, into: &buffer)
        case .continuation(let request):
            buffer.write("+ ")
            switch request {
            case .text(let text): encodeResponseText(text, into: &buffer)
            case .base64(let data): buffer.writeText(data)
            }
        }
        buffer.writeCRLF()
    }

    // resp-cond-state / resp-cond-auth / resp-cond-bye
    func encodeStatus(_ status: StatusResponse, into buffer: inout ResponseBuffer) {
        buffer.writeText(status.kind.rawValue)
        buffer.write(0x20)
        encodeResponseText(status.text, into: &buffer)
    }

    // resp-text = ["[" resp-text-code "]" SP] [text]
    func encodeResponseText(_ text: ResponseText, into buffer: inout ResponseBuffer) {
        if let code = text.code {
            buffer.write(UInt8(ascii: "["))
            encodeResponseCode(code, into: &buffer)
            buffer.write("] ")
        }
        // text = 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4): CR and LF would end the line.
        var wroteText = false
        for byte in text.text.utf8 where byte != 0x0D && byte != 0x0A && byte != 0 {
            buffer.write(byte)
            wroteText = true
        }
        // RFC 3501 requires text after the code; a lone "." keeps old clients happy.
        if !wroteText && text.code == nil { buffer.write(UInt8(ascii: ".")) }
    }

    func encodeCapabilities(_ capabilities: [String], into buffer: inout ResponseBuffer) {
        buffer.write("CAPABILITY")
        for capability in capabilities {
            buffer.write(0x20)
            buffer.writeText(capability)
        }
    }

    // resp-text-code
    func encodeResponseCode(_ code: ResponseCode, into buffer: inout ResponseBuffer) {
        switch code {
        case .alert: buffer.write("ALERT")
        case .badCharset(let charsets):
            buffer.write("BADCHARSET")
            if !charsets.isEmpty {
                buffer.write(" (")
                for (index, charset) in charsets.enumerated() {
                    if index > 0 { buffer.write(0x20) }
                    buffer.writeString(charset, rule: .astring, utf8: false)
                }
                buffer.write(UInt8(ascii: ")"))
            }
        case .capability(let capabilities): encodeCapabilities(capabilities, into: &buffer)
        case .parse: buffer.write("PARSE")
        case .permanentFlags(let flags):
            buffer.write("PERMANENTFLAGS ")
            encodeFlagList(flags, into: &buffer)
        case .readOnly: buffer.write("READ-ONLY")
        case .readWrite: buffer.write("READ-WRITE")
        case .tryCreate: buffer.write("TRYCREATE")
        case .uidNext(let uid):
            buffer.write("UIDNEXT ")
            buffer.writeNumber(uid)
        case .uidValidity(let validity):
            buffer.write("UIDVALIDITY ")
            buffer.writeNumber(validity)
        case .appendUID(let validity, let uids):
            buffer.write("APPENDUID ")
            buffer.writeNumber(validity)
            buffer.write(0x20)
            encodeSequenceSet(uids, into: &buffer)
        case .copyUID(let validity, let source, let destination):
            buffer.write("COPYUID ")
            buffer.writeNumber(validity)
            buffer.write(0x20)
            encodeSequenceSet(source, into: &buffer)
            buffer.write(0x20)
            encodeSequenceSet(destination, into: &buffer)
        case .uidNotSticky: buffer.write("UIDNOTSTICKY")
        case .unavailable: buffer.write("UNAVAILABLE")
        case .authenticationFailed: buffer.write("AUTHENTICATIONFAILED")
        case .authorizationFailed: buffer.write("AUTHORIZATIONFAILED")
        case .expired: buffer.write("EXPIRED")
        case .privacyRequired: buffer.write("PRIVACYREQUIRED")
        case .contactAdmin: buffer.write("CONTACTADMIN")
        case .noPermission: buffer.write("NOPERM")
        case .inUse: buffer.write("INUSE")
        case .expungeIssued: buffer.write("EXPUNGEISSUED")
        case .corruption: buffer.write("CORRUPTION")
        case .serverBug: buffer.write("SERVERBUG")
        case .clientBug: buffer.write("CLIENTBUG")
        case .cannot: buffer.write("CANNOT")
        case .limit: buffer.write("LIMIT")
        case .overQuota: buffer.write("OVERQUOTA")
        case .alreadyExists: buffer.write("ALREADYEXISTS")
        case .nonExistent: buffer.write("NONEXISTENT")
        case .notSaved: buffer.write("NOTSAVED")
        case .hasChildren: buffer.write("HASCHILDREN")
        case .closed: buffer.write("CLOSED")
        case .unknownCTE: buffer.write("UNKNOWN-CTE")
        case .highestModificationSequence(let value):
            buffer.write("HIGHESTMODSEQ ")
            buffer.writeNumber(value)
        case .noModificationSequence: buffer.write("NOMODSEQ")
        case .modified(let set):
            buffer.write("MODIFIED ")
            encodeSequenceSet(set, into: &buffer)
        case .compressionActive: buffer.write("COMPRESSIONACTIVE")
        case .tooBig: buffer.write("TOOBIG")
        case .useAttribute: buffer.write("USEATTR")
        case .other(let name, let text):
            buffer.writeText(name)
            if let text {
                buffer.write(0x20)
                // 1*<any TEXT-CHAR except "]">
                for byte in text.utf8 where byte != UInt8(ascii: "]") && byte != 0x0D && byte != 0x0A && byte != 0 {
                    buffer.write(byte)
                }
            }
        }
    }

    // flag-list = "(" [flag *(SP flag)] ")"
    func encodeFlagList(_ flags: [Flag], into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: "("))
        for (index, flag) in flags.enumerated() {
            if index > 0 { buffer.write(0x20) }
            buffer.writeText(flag.rawValue)
        }
        buffer.write(UInt8(ascii: ")"))
    }

    // sequence-set (and uid-set, known-uids)
    func encodeSequenceSet(_ set: SequenceSet, into buffer: inout ResponseBuffer) {
        switch set {
        case .lastSearchResult:
            buffer.write(UInt8(ascii: "$"))
        case .ranges(let ranges):
            for (index, range) in ranges.enumerated() {
                if index > 0 { buffer.write(UInt8(ascii: ",")) }
                encodeSequenceNumber(range.first, into: &buffer)
                if range.first != range.last {
                    buffer.write(UInt8(ascii: ":"))
                    encodeSequenceNumber(range.last, into: &buffer)
                }
            }
        }
    }

    private func encodeSequenceNumber(_ number: SequenceNumber, into buffer: inout ResponseBuffer) {
        switch number {
        case .number(let value): buffer.writeNumber(value)
        case .last: buffer.write(UInt8(ascii: "*"))
        }
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    func encodeDateTime(_ dateTime: IMAPDateTime, into buffer: inout ResponseBuffer) {
        // One implementation for every response (ReservedBytes), the fast FETCH path's included.
        buffer.writeReserved(upTo: ReservedBytes.dateTimeLength) { $0.writeDateTime(dateTime) }
    }

    // tagged-ext-val, for extension data the codec does not model.
    func encodeExtensionValue(_ value: ExtensionValue, into buffer: inout ResponseBuffer) {
        switch value {
        case .atom(let atom): buffer.writeText(atom)
        case .string(let text): buffer.writeString(text, rule: .string, utf8: utf8Enabled)
        case .list(let items):
            buffer.write(UInt8(ascii: "("))
            for (index, item) in items.enumerated() {
                if index > 0 { buffer.write(0x20) }
                encodeExtensionValue(item, into: &buffer)
            }
            buffer.write(UInt8(ascii: ")"))
        }
    }
}
