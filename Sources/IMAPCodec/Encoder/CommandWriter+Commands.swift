/// The command grammar, written out.
extension CommandWriter {
    mutating func writeCommand(_ command: Command) {
        switch command {
        case .capability: keyword("CAPABILITY")
        case .noop: keyword("NOOP")
        case .logout: keyword("LOGOUT")
        case .startTLS: keyword("STARTTLS")
        case .namespace: keyword("NAMESPACE")
        case .idle: keyword("IDLE")
        case .check: keyword("CHECK")
        case .close: keyword("CLOSE")
        case .unselect: keyword("UNSELECT")
        case .expunge: keyword("EXPUNGE")
        case .id(let fields):
            keyword("ID ")
            guard let fields else { return keyword("NIL") }
            list(fields) { writer, field in
                writer.quotedOrLiteral(field.key)
                writer.space()
                if let value = field.value { writer.quotedOrLiteral(value) } else { writer.keyword("NIL") }
            }
        case .enable(let capabilities):
            keyword("ENABLE")
            for capability in capabilities {
                space()
                buffer.writeText(capability)
            }
        case .authenticate(let mechanism, let initialResponse):
            keyword("AUTHENTICATE ")
            buffer.writeText(mechanism)
            switch initialResponse {
            case nil: break
            case .empty: keyword(" =")
            case .base64(let text):
                space()
                buffer.writeText(text)
            }
        case .login(let username, let password):
            keyword("LOGIN ")
            astring(username)
            space()
            astring(password)
        case .select(let mailbox, let parameters):
            keyword("SELECT ")
            writeSelect(mailbox, parameters)
        case .examine(let mailbox, let parameters):
            keyword("EXAMINE ")
            writeSelect(mailbox, parameters)
        case .create(let name, let parameters):
            keyword("CREATE ")
            mailbox(name)
            if !parameters.isEmpty {
                space()
                list(parameters) { writer, parameter in
                    switch parameter {
                    case .use(let attributes):
                        writer.keyword("USE ")
                        writer.list(attributes) { writer, attribute in writer.buffer.writeText(attribute) }
                    case .other(let other): writer.extensionParameter(other)
                    }
                }
            }
        case .delete(let name):
            keyword("DELETE ")
            mailbox(name)
        case .rename(let from, let to, let parameters):
            keyword("RENAME ")
            mailbox(from)
            space()
            mailbox(to)
            if !parameters.isEmpty {
                space()
                list(parameters) { writer, parameter in writer.extensionParameter(parameter) }
            }
        case .subscribe(let name):
            keyword("SUBSCRIBE ")
            mailbox(name)
        case .unsubscribe(let name):
            keyword("UNSUBSCRIBE ")
            mailbox(name)
        case .list(let command): writeList(command)
        case .lsub(let reference, let pattern):
            keyword("LSUB ")
            mailbox(reference)
            space()
            listMailbox(pattern)
        case .status(let name, let attributes):
            keyword("STATUS ")
            mailbox(name)
            space()
            statusAttributes(attributes)
        case .append(let name, let messages):
            keyword("APPEND ")
            mailbox(name)
            for message in messages {
                if !message.options.flags.isEmpty {
                    space()
                    flagList(message.options.flags)
                }
                if let date = message.options.internalDate {
                    space()
                    dateTime(date)
                }
                for parameter in message.options.extensions {
                    space()
                    extensionParameter(parameter)
                }
                space()
                literal(message.data, binary: message.isBinary)
            }
        case .compress(let algorithm):
            keyword("COMPRESS ")
            buffer.writeText(algorithm)
        case .uidExpunge(let set):
            keyword("UID EXPUNGE ")
            sequenceSet(set)
        case .search(let search): writeSearch(search)
        case .fetch(let fetch): writeFetch(fetch)
        case .store(let store): writeStore(store)
        case .copy(let set, let name, let byUID):
            keyword(byUID ? "UID COPY " : "COPY ")
            sequenceSet(set)
            space()
            mailbox(name)
        case .move(let set, let name, let byUID):
            keyword(byUID ? "UID MOVE " : "MOVE ")
            sequenceSet(set)
            space()
            mailbox(name)
        case .unknown(let name):
            buffer.writeText(name)
        }
    }

    private mutating func writeSelect(_ name: MailboxName, _ parameters: [SelectParameter]) {
        mailbox(name)
        guard !parameters.isEmpty else { return }
        space()
        list(parameters) { writer, parameter in
            switch parameter {
            case .condStore: writer.keyword("CONDSTORE")
            case .qresync(let qresync):
                writer.keyword("QRESYNC (")
                writer.buffer.writeNumber(qresync.uidValidity)
                writer.space()
                writer.buffer.writeNumber(qresync.modificationSequence)
                if let known = qresync.knownUIDs {
                    writer.space()
                    writer.sequenceSet(known)
                }
                if let match = qresync.sequenceMatch {
                    writer.keyword(" (")
                    writer.sequenceSet(match.sequenceNumbers)
                    writer.space()
                    writer.sequenceSet(match.uids)
                    writer.buffer.write(UInt8(ascii: ")"))
                }
                writer.buffer.write(UInt8(ascii: ")"))
            case .other(let other): writer.extensionParameter(other)
            }
        }
    }

    /// `list-mailbox = 1*list-char / string`
    private mutating func listMailbox(_ pattern: String) {
        if !pattern.isEmpty, pattern.utf8.allSatisfy(ByteClass.isListChar) {
            buffer.writeText(pattern)
        } else {
            quotedOrLiteral(pattern)
        }
    }

    private mutating func writeList(_ command: ListCommand) {
        keyword("LIST ")
        if !command.selectionOptions.isEmpty {
            list(command.selectionOptions) { writer, option in
                switch option {
                case .subscribed: writer.keyword("SUBSCRIBED")
                case .remote: writer.keyword("REMOTE")
                case .recursiveMatch: writer.keyword("RECURSIVEMATCH")
                case .specialUse: writer.keyword("SPECIAL-USE")
                case .other(let other): writer.extensionParameter(other)
                }
            }
            space()
        }
        mailbox(command.reference)
        space()
        if command.patterns.count == 1 {
            listMailbox(command.patterns[0])
        } else {
            list(command.patterns) { writer, pattern in writer.listMailbox(pattern) }
        }
        guard !command.returnOptions.isEmpty else { return }
        keyword(" RETURN ")
        list(command.returnOptions) { writer, option in
            switch option {
            case .subscribed: writer.keyword("SUBSCRIBED")
            case .children: writer.keyword("CHILDREN")
            case .specialUse: writer.keyword("SPECIAL-USE")
            case .status(let attributes):
                writer.keyword("STATUS ")
                writer.statusAttributes(attributes)
            case .other(let other): writer.extensionParameter(other)
            }
        }
    }
}
