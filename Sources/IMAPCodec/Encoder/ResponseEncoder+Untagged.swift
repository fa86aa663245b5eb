/// Untagged data other than FETCH.
extension ResponseEncoder {
    func encodeUntagged(_ response: UntaggedResponse, into buffer: inout ResponseBuffer) {
        switch response {
        case .condition(let status):
            encodeStatus(status, into: &buffer)
        case .capability(let capabilities):
            encodeCapabilities(capabilities, into: &buffer)
        case .enabled(let capabilities):
            // enable-data = "ENABLED" *(SP capability)
            buffer.write("ENABLED")
            for capability in capabilities {
                buffer.write(0x20)
                buffer.writeText(capability)
            }
        case .list(let list):
            buffer.write("LIST ")
            encodeMailboxList(list, into: &buffer)
        case .lsub(let list):
            buffer.write("LSUB ")
            encodeMailboxList(list, into: &buffer)
        case .status(let mailbox, let values):
            // "STATUS" SP mailbox SP "(" [status-att-list] ")"
            buffer.write("STATUS ")
            buffer.writeString(mailbox.rawValue, rule: .astring, utf8: utf8Enabled)
            buffer.write(" (")
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.write(0x20) }
                encodeStatusValue(value, into: &buffer)
            }
            buffer.write(UInt8(ascii: ")"))
        case .flags(let flags):
            buffer.write("FLAGS ")
            encodeFlagList(flags, into: &buffer)
        case .exists(let count):
            buffer.writeNumber(count)
            buffer.write(" EXISTS")
        case .recent(let count):
            buffer.writeNumber(count)
            buffer.write(" RECENT")
        case .expunge(let number):
            buffer.writeNumber(number)
            buffer.write(" EXPUNGE")
        case .vanished(let earlier, let uids):
            // expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
            buffer.write(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            encodeSequenceSet(uids, into: &buffer)
        case .fetch(let number, let items):
            encodeFetch(number, items, into: &buffer)
        case .esearch(let esearch):
            encodeESearch(esearch, into: &buffer)
        case .search(let numbers, let modificationSequence):
            // "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq]
            buffer.write("SEARCH")
            for number in numbers {
                buffer.write(0x20)
                buffer.writeNumber(number)
            }
            if let modificationSequence, !numbers.isEmpty {
                buffer.write(" (MODSEQ ")
                buffer.writeNumber(modificationSequence)
                buffer.write(UInt8(ascii: ")"))
            }
        case .namespace(let namespace):
            buffer.write("NAMESPACE ")
            encodeNamespaceList(namespace.personal, into: &buffer)
            buffer.write(0x20)
            encodeNamespaceList(namespace.otherUsers, into: &buffer)
            buffer.write(0x20)
            encodeNamespaceList(namespace.shared, into: &buffer)
        case .id(let fields):
            // id_response ::= "ID" SPACE id_params_list
            buffer.write("ID ")
            guard let fields else { return buffer.write("NIL") }
            buffer.write(UInt8(ascii: "("))
            for (index, field) in fields.enumerated() {
                if index > 0 { buffer.write(0x20) }
                buffer.writeString(field.key, rule: .string, utf8: utf8Enabled)
                buffer.write(0x20)
                buffer.writeNString(field.value, utf8: utf8Enabled)
            }
            buffer.write(UInt8(ascii: ")"))
        }
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
    //                mailbox [SP mbox-list-extended]
    private func encodeMailboxList(_ list: ListResponse, into buffer: inout ResponseBuffer) {
        buffer.write(UInt8(ascii: "("))
        for (index, attribute) in list.attributes.enumerated() {
            if index > 0 { buffer.write(0x20) }
            buffer.writeText(attribute)
        }
        buffer.write(") ")
        buffer.writeDelimiter(list.delimiter, utf8: utf8Enabled)
        buffer.write(0x20)
        buffer.writeString(list.mailbox.rawValue, rule: .astring, utf8: utf8Enabled)
        guard !list.extendedItems.isEmpty else { return }
        // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
        buffer.write(" (")
        for (index, item) in list.extendedItems.enumerated() {
            if index > 0 { buffer.write(0x20) }
            buffer.writeString(item.name, rule: .astring, utf8: utf8Enabled)
            buffer.write(0x20)
            encodeExtensionValue(item.value ?? .list([]), into: &buffer)
        }
        buffer.write(UInt8(ascii: ")"))
    }

    // status-att-val
    private func encodeStatusValue(_ value: StatusValue, into buffer: inout ResponseBuffer) {
        switch value {
        case .messages(let count): buffer.write("MESSAGES "); buffer.writeNumber(count)
        case .uidNext(let uid): buffer.write("UIDNEXT "); buffer.writeNumber(uid)
        case .uidValidity(let validity): buffer.write("UIDVALIDITY "); buffer.writeNumber(validity)
        case .unseen(let count): buffer.write("UNSEEN "); buffer.writeNumber(count)
        case .deleted(let count): buffer.write("DELETED "); buffer.writeNumber(count)
        case .size(let size): buffer.write("SIZE "); buffer.writeNumber(size)
        case .recent(let count): buffer.write("RECENT "); buffer.writeNumber(count)
        case .highestModificationSequence(let value): buffer.write("HIGHESTMODSEQ "); buffer.writeNumber(value)
        case .appendLimit(let limit):
            buffer.write("APPENDLIMIT ")
            if let limit { buffer.writeNumber(limit) } else { buffer.write("NIL") }
        }
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    // search-correlator = SP "(" "TAG" SP tag-string ")"
    private func encodeESearch(_ esearch: ESearchResponse, into buffer: inout ResponseBuffer) {
        buffer.write("ESEARCH")
        if let tag = esearch.correlator {
            buffer.write(" (TAG ")
            buffer.writeString(tag, rule: .string, utf8: utf8Enabled)
            buffer.write(UInt8(ascii: ")"))
        }
        if esearch.byUID { buffer.write(" UID") }
        for item in esearch.items {
            buffer.write(0x20)
            switch item {
            case .min(let value): buffer.write("MIN "); buffer.writeNumber(value)
            case .max(let value): buffer.write("MAX "); buffer.writeNumber(value)
            case .count(let value): buffer.write("COUNT "); buffer.writeNumber(value)
            case .all(let set): buffer.write("ALL "); encodeSequenceSet(set, into: &buffer)
            case .modificationSequence(let value): buffer.write("MODSEQ "); buffer.writeNumber(value)
            case .other(let parameter):
                buffer.writeText(parameter.name)
                if let value = parameter.value {
                    buffer.write(0x20)
                    encodeExtensionValue(value, into: &buffer)
                }
            }
        }
    }

    // namespace = nil / "(" 1*namespace-descr ")"
    private func encodeNamespaceList(_ descriptions: [NamespaceDescription]?, into buffer: inout ResponseBuffer) {
        guard let descriptions, !descriptions.isEmpty else { return buffer.write("NIL") }
        buffer.write(UInt8(ascii: "("))
        for description in descriptions {
            buffer.write(UInt8(ascii: "("))
            buffer.writeString(description.prefix, rule: .string, utf8: utf8Enabled)
            buffer.write(0x20)
            buffer.writeDelimiter(description.delimiter, utf8: utf8Enabled)
            buffer.write(UInt8(ascii: ")"))
        }
        buffer.write(UInt8(ascii: ")"))
    }
}
