/// SEARCH, FETCH and STORE, written out.
extension CommandWriter {
    mutating func writeSearch(_ search: SearchCommand) {
        keyword(search.byUID ? "UID SEARCH" : "SEARCH")
        if let options = search.returnOptions {
            keyword(" RETURN ")
            list(options) { writer, option in
                switch option {
                case .min: writer.keyword("MIN")
                case .max: writer.keyword("MAX")
                case .all: writer.keyword("ALL")
                case .count: writer.keyword("COUNT")
                case .save: writer.keyword("SAVE")
                case .other(let other): writer.extensionParameter(other)
                }
            }
        }
        if let charset = search.charset {
            keyword(" CHARSET ")
            astring(charset)
        }
        space()
        if case .and(let keys) = search.key, !keys.isEmpty {
            for (index, key) in keys.enumerated() {
                if index > 0 { space() }
                searchKey(key)
            }
        } else {
            searchKey(search.key)
        }
    }

    private mutating func searchKey(_ key: SearchKey) {
        switch key {
        case .all: keyword("ALL")
        case .answered: keyword("ANSWERED")
        case .deleted: keyword("DELETED")
        case .draft: keyword("DRAFT")
        case .flagged: keyword("FLAGGED")
        case .seen: keyword("SEEN")
        case .unanswered: keyword("UNANSWERED")
        case .undeleted: keyword("UNDELETED")
        case .undraft: keyword("UNDRAFT")
        case .unflagged: keyword("UNFLAGGED")
        case .unseen: keyword("UNSEEN")
        case .new: keyword("NEW")
        case .old: keyword("OLD")
        case .recent: keyword("RECENT")
        case .keyword(let flag): keyword("KEYWORD "); buffer.writeText(flag.rawValue)
        case .unkeyword(let flag): keyword("UNKEYWORD "); buffer.writeText(flag.rawValue)
        case .bcc(let text): keyword("BCC "); astring(text)
        case .cc(let text): keyword("CC "); astring(text)
        case .from(let text): keyword("FROM "); astring(text)
        case .to(let text): keyword("TO "); astring(text)
        case .subject(let text): keyword("SUBJECT "); astring(text)
        case .body(let text): keyword("BODY "); astring(text)
        case .text(let text): keyword("TEXT "); astring(text)
        case .header(let field, let value):
            keyword("HEADER ")
            astring(field)
            space()
            astring(value)
        case .before(let day): keyword("BEFORE "); date(day)
        case .on(let day): keyword("ON "); date(day)
        case .since(let day): keyword("SINCE "); date(day)
        case .sentBefore(let day): keyword("SENTBEFORE "); date(day)
        case .sentOn(let day): keyword("SENTON "); date(day)
        case .sentSince(let day): keyword("SENTSINCE "); date(day)
        case .larger(let size): keyword("LARGER "); buffer.writeNumber(size)
        case .smaller(let size): keyword("SMALLER "); buffer.writeNumber(size)
        case .uid(let set): keyword("UID "); sequenceSet(set)
        case .sequenceNumbers(let set): sequenceSet(set)
        case .not(let inner): keyword("NOT "); searchKey(inner)
        case .or(let left, let right):
            keyword("OR ")
            searchKey(left)
            space()
            searchKey(right)
        case .and(let keys):
            list(keys) { writer, key in writer.searchKey(key) }
        case .modificationSequence(let value, let entry):
            keyword("MODSEQ ")
            if let entry {
                quotedOrLiteral("/flags/" + entry.flag.rawValue)
                switch entry.type {
                case .private: keyword(" priv ")
                case .shared: keyword(" shared ")
                case .all: keyword(" all ")
                }
            }
            buffer.writeNumber(value)
        }
    }

    mutating func writeFetch(_ fetch: FetchCommand) {
        keyword(fetch.byUID ? "UID FETCH " : "FETCH ")
        sequenceSet(fetch.set)
        space()
        list(fetch.attributes) { writer, attribute in writer.fetchAttribute(attribute) }
        guard !fetch.modifiers.isEmpty else { return }
        space()
        list(fetch.modifiers) { writer, modifier in
            switch modifier {
            case .changedSince(let value):
                writer.keyword("CHANGEDSINCE ")
                writer.buffer.writeNumber(value)
            case .vanished: writer.keyword("VANISHED")
            case .other(let other): writer.extensionParameter(other)
            }
        }
    }

    private mutating func fetchAttribute(_ attribute: FetchAttribute) {
        switch attribute {
        case .envelope: keyword("ENVELOPE")
        case .flags: keyword("FLAGS")
        case .internalDate: keyword("INTERNALDATE")
        case .rfc822Size: keyword("RFC822.SIZE")
        case .body: keyword("BODY")
        case .bodyStructure: keyword("BODYSTRUCTURE")
        case .uid: keyword("UID")
        case .modificationSequence: keyword("MODSEQ")
        case .rfc822: keyword("RFC822")
        case .rfc822Header: keyword("RFC822.HEADER")
        case .rfc822Text: keyword("RFC822.TEXT")
        case .bodySection(let specifier, let partial, let peek):
            keyword(peek ? "BODY.PEEK" : "BODY")
            section(specifier)
            self.partial(partial)
        case .binary(let part, let partial, let peek):
            keyword(peek ? "BINARY.PEEK" : "BINARY")
            binaryPart(part)
            self.partial(partial)
        case .binarySize(let part):
            keyword("BINARY.SIZE")
            binaryPart(part)
        }
    }

    private mutating func binaryPart(_ part: [UInt32]) {
        buffer.write(UInt8(ascii: "["))
        for (index, number) in part.enumerated() {
            if index > 0 { buffer.write(UInt8(ascii: ".")) }
            buffer.writeNumber(number)
        }
        buffer.write(UInt8(ascii: "]"))
    }

    private mutating func partial(_ range: PartialRange?) {
        guard let range else { return }
        buffer.write(UInt8(ascii: "<"))
        buffer.writeNumber(range.offset)
        buffer.write(UInt8(ascii: "."))
        buffer.writeNumber(range.count)
        buffer.write(UInt8(ascii: ">"))
    }

    mutating func writeStore(_ store: StoreCommand) {
        keyword(store.byUID ? "UID STORE " : "STORE ")
        sequenceSet(store.set)
        space()
        if !store.modifiers.isEmpty {
            list(store.modifiers) { writer, modifier in
                switch modifier {
                case .unchangedSince(let value):
                    writer.keyword("UNCHANGEDSINCE ")
                    writer.buffer.writeNumber(value)
                case .other(let other): writer.extensionParameter(other)
                }
            }
            space()
        }
        switch store.flags.operation {
        case .replace: break
        case .add: buffer.write(UInt8(ascii: "+"))
        case .remove: buffer.write(UInt8(ascii: "-"))
        }
        keyword(store.flags.silent ? "FLAGS.SILENT " : "FLAGS ")
        flagList(store.flags.flags)
    }
}
