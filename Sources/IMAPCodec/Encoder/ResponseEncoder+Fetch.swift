/// FETCH responses. Body data held elsewhere is written as a literal header and a splice,
/// so the body itself never passes through the encoder.
extension ResponseEncoder {
    // message-data = nz-number SP "FETCH" SP msg-att
    // msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    func encodeFetch(_ number: UInt32, _ items: [FetchResponseItem], into buffer: inout ResponseBuffer) {
        buffer.writeNumber(number)
        buffer.write(" FETCH (")
        for (index, item) in items.enumerated() {
            if index > 0 { buffer.write(0x20) }
            encodeFetchItem(item, into: &buffer)
        }
        buffer.write(UInt8(ascii: ")"))
    }

    private func encodeFetchItem(_ item: FetchResponseItem, into buffer: inout ResponseBuffer) {
        switch item {
        case .flags(let flags):
            buffer.write("FLAGS ")
            encodeFlagList(flags, into: &buffer)
        case .uid(let uid):
            buffer.write("UID ")
            buffer.writeNumber(uid)
        case .internalDate(let date):
            buffer.write("INTERNALDATE ")
            encodeDateTime(date, into: &buffer)
        case .rfc822Size(let size):
            buffer.write("RFC822.SIZE ")
            buffer.writeNumber(size)
        case .modificationSequence(let value):
            // fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"
            buffer.write("MODSEQ (")
            buffer.writeNumber(value)
            buffer.write(UInt8(ascii: ")"))
        case .envelope(let encoded):
            buffer.write("ENVELOPE ")
            buffer.writeBytes(encoded.bytes)
        case .body(let encoded):
            buffer.write("BODY ")
            buffer.writeBytes(encoded.bytes)
        case .bodyStructure(let encoded):
            buffer.write("BODYSTRUCTURE ")
            buffer.writeBytes(encoded.bytes)
        case .bodySection(let section, let origin, let data):
            // "BODY" section ["<" number ">"] SP nstring
            buffer.write("BODY")
            encodeSection(section, into: &buffer)
            encodeOrigin(origin, into: &buffer)
            buffer.write(0x20)
            encodeBodyData(data, literal8: false, into: &buffer)
        case .bodySectionLabeled(let label, let data):
            buffer.writeBytes(label.bytes)
            buffer.write(0x20)
            encodeBodyData(data, literal8: false, into: &buffer)
        case .binary(let part, let origin, let data, let literal8):
            // "BINARY" section-binary SP (nstring / literal8)
            buffer.write("BINARY")
            encodeSectionBinary(part, into: &buffer)
            encodeOrigin(origin, into: &buffer)
            buffer.write(0x20)
            encodeBodyData(data, literal8: literal8, into: &buffer)
        case .binarySize(let part, let size):
            buffer.write("BINARY.SIZE")
            encodeSectionBinary(part, into: &buffer)
            buffer.write(0x20)
            buffer.writeNumber(size)
        case .rfc822(let data):
            buffer.write("RFC822 ")
            encodeBodyData(data, literal8: false, into: &buffer)
        case .rfc822Header(let data):
            buffer.write("RFC822.HEADER ")
            encodeBodyData(data, literal8: false, into: &buffer)
        case .rfc822Text(let data):
            buffer.write("RFC822.TEXT ")
            encodeBodyData(data, literal8: false, into: &buffer)
        }
    }

    // MARK: One response item by item

    /// `* n FETCH (`: the start of a FETCH response written item by item, for a
    /// server that writes many responses of one shape (a header FETCH of a whole
    /// mailbox) without building an item array and copying body data per response.
    /// Follow with `encodeFetchItem` / `encodeFetchLiteralItem` and `endFetch`; the
    /// bytes are those `encode(.untagged(.fetch(n, items)))` writes.
    public func beginFetch(_ number: UInt32, into buffer: inout ResponseBuffer) {
        buffer.write("* ")
        buffer.writeNumber(number)
        buffer.write(" FETCH (")
    }

    /// One item of a response begun with `beginFetch`; `first` for the first item.
    public func encodeFetchItem(_ item: FetchResponseItem, first: Bool, into buffer: inout ResponseBuffer) {
        if !first { buffer.write(0x20) }
        encodeFetchItem(item, into: &buffer)
    }

    /// A body item whose label is encoded (`encodedBodySectionLabel`) and whose
    /// `count` bytes `writeData` appends (with `ResponseBuffer.writeBytes`) as a literal.
    public func encodeFetchLiteralItem(
        label: PreEncodedBytes, count: Int, first: Bool, into buffer: inout ResponseBuffer,
        writeData: (inout ResponseBuffer) -> Void
    ) {
        if !first { buffer.write(0x20) }
        buffer.writeBytes(label.bytes)
        buffer.write(0x20)
        buffer.writeLiteralHeader(count: count, binary: false)
        let start = buffer.bytes.count
        writeData(&buffer)
        precondition(buffer.bytes.count - start == count, "a literal's data must be as long as announced")
    }

    /// `)` CRLF: the end of a response begun with `beginFetch`.
    public func endFetch(into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: ")"))
        buffer.writeCRLF()
    }

    /// `"BODY" section ["<" number ">"]`, the label of a `BODY[section]` FETCH item,
    /// encoded as ``FetchResponseItem/bodySection(_:origin:_:)`` would encode it,
    /// for ``FetchResponseItem/bodySectionLabeled(_:_:)``.
    public func encodedBodySectionLabel(_ section: SectionSpecifier, origin: UInt64?) -> PreEncodedBytes {
        var buffer = ResponseBuffer(capacity: 64)
        buffer.write("BODY")
        encodeSection(section, into: &buffer)
        encodeOrigin(origin, into: &buffer)
        return PreEncodedBytes(buffer.bytes)
    }

    private func encodeOrigin(_ origin: UInt64?, into buffer: inout ResponseBuffer) {
        guard let origin else { return }
        buffer.write(UInt8(ascii: "<"))
        buffer.writeNumber(origin)
        buffer.write(UInt8(ascii: ">"))
    }

    /// Body data is always a literal (or NIL): clients stream literals, and the length
    /// is known without scanning the bytes for characters a quoted string forbids.
    private func encodeBodyData(_ data: BodyData, literal8: Bool, into buffer: inout ResponseBuffer) {
        switch data {
        case .none:
            buffer.write("NIL")
        case .bytes(let bytes):
            buffer.writeLiteralHeader(count: bytes.count, binary: literal8)
            buffer.writeBytes(bytes)
        case .external(let external):
            buffer.writeLiteralHeader(count: external.count, binary: literal8)
            buffer.writeExternal(external)
        }
    }

    // section = "[" [section-spec] "]"
    func encodeSection(_ section: SectionSpecifier, into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: "["))
        for (index, part) in section.part.enumerated() {
            if index > 0 { buffer.write(UInt8(ascii: ".")) }
            buffer.writeNumber(part)
        }
        if let text = section.text {
            if !section.part.isEmpty { buffer.write(UInt8(ascii: ".")) }
            switch text {
            case .header: buffer.write("HEADER")
            case .text: buffer.write("TEXT")
            case .mime: buffer.write("MIME")
            case .headerFields(let names):
                buffer.write("HEADER.FIELDS ")
                encodeHeaderList(names, into: &buffer)
            case .headerFieldsNot(let names):
                buffer.write("HEADER.FIELDS.NOT ")
                encodeHeaderList(names, into: &buffer)
            }
        }
        buffer.write(UInt8(ascii: "]"))
    }

    // header-list = "(" header-fld-name *(SP header-fld-name) ")"
    private func encodeHeaderList(_ names: [String], into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: "("))
        for (index, name) in names.enumerated() {
            if index > 0 { buffer.write(0x20) }
            // An atom, but ']' would end the section early: quote such names.
            if name.utf8.contains(UInt8(ascii: "]")) {
                buffer.writeString(name, rule: .string, utf8: utf8Enabled)
            } else {
                buffer.writeString(name, rule: .astring, utf8: utf8Enabled)
            }
        }
        buffer.write(UInt8(ascii: ")"))
    }

    // section-binary = "[" [section-part] "]"
    private func encodeSectionBinary(_ part: [UInt32], into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: "["))
        for (index, number) in part.enumerated() {
            if index > 0 { buffer.write(UInt8(ascii: ".")) }
            buffer.writeNumber(number)
        }
        buffer.write(UInt8(ascii: "]"))
    }
}
