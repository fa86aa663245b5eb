import IMAPCodec
import MailStore

/// LIST with LIST-EXTENDED (RFC 5258) selection and return options, LIST-STATUS
/// (RFC 5819), SPECIAL-USE attributes (RFC 6154), and IMAP4rev1's LSUB.
extension Session {
    private struct ListOptions {
        var selectSubscribed = false
        var selectSpecialUse = false
        var recursiveMatch = false
        var returnSubscribed = false
        var returnStatus: [StatusAttribute]?
    }

    func handleList(tag: String, _ list: ListCommand) async throws {
        let options = try listOptions(list)
        // `LIST "" ""` asks for the hierarchy delimiter (RFC 9051 6.3.9).
        if list.patterns == [""], list.selectionOptions.isEmpty {
            send(.untagged(.list(ListResponse(attributes: ["\\Noselect"], delimiter: "/", mailbox: MailboxName("")))))
            complete(tag, "LIST completed")
            return
        }
        let reference = storePattern(list.reference.rawValue)
        let patterns = list.patterns.filter { !$0.isEmpty }.map { MailboxPattern(reference + storePattern($0)) }
        let matched = { (name: String) in patterns.contains { $0.matches(name) } }
        let mailboxes = user.mailboxes()
        let existing = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let subscribed = Set(user.subscriptions())

        var candidates: Set<String>
        if options.selectSubscribed {
            candidates = subscribed
            if options.recursiveMatch {
                for name in subscribed { candidates.formUnion(Self.ancestors(of: name)) }
            }
        } else {
            candidates = Set(existing.keys)
            // A deleted parent whose children remain (RFC 9051 6.3.9): listed, unselectable,
            // when a pattern reaches it but not the children (`%`), so clients can browse down.
            for name in existing.keys { candidates.formUnion(Self.ancestors(of: name).filter { existing[$0] == nil }) }
        }
        for name in candidates.sorted(by: Self.listOrder) where matched(name) {
            let info = existing[name]
            if options.selectSpecialUse, info?.role == nil, !options.selectSubscribed { continue }
            if options.selectSpecialUse, options.selectSubscribed, info?.role == nil { continue }
            let isSubscribed = subscribed.contains(name)
            var extended: [ExtensionParameter] = []
            // RFC 5258 section 3.5: a subscribed descendant the patterns do not list itself.
            if options.recursiveMatch, options.selectSubscribed,
                subscribed.contains(where: { $0.hasPrefix(name + "/") && !matched($0) })
            {
                extended.append(ExtensionParameter(name: "CHILDINFO", value: .list([.string("SUBSCRIBED")])))
            }
            // An ancestor listed only for its subscribed children (RECURSIVEMATCH).
            if options.selectSubscribed, !isSubscribed, extended.isEmpty { continue }
            if !options.selectSubscribed, info == nil {
                guard !options.selectSpecialUse, existing.keys.contains(where: { $0.hasPrefix(name + "/") && !matched($0) }) else { continue }
                let unselectable = machine.isRev2Enabled ? "\\NonExistent" : "\\Noselect"
                send(.untagged(.list(ListResponse(attributes: [unselectable, "\\HasChildren"], delimiter: "/", mailbox: wireName(name)))))
                continue
            }
            var attributes: [String] = []
            if info == nil { attributes.append("\\NonExistent") }
            if options.returnSubscribed, isSubscribed { attributes.append("\\Subscribed") }
            if info != nil {
                let hasChildren = existing.keys.contains { $0.hasPrefix(name + "/") }
                attributes.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            }
            if let role = info?.role { attributes.append(role.rawValue) }
            send(.untagged(.list(ListResponse(attributes: attributes, delimiter: "/", mailbox: wireName(name), extendedItems: extended))))
            if let statusAttributes = options.returnStatus, info != nil {
                let mailbox = try await user.mailbox(named: name)
                send(.untagged(.status(wireName(name), try statusValues(of: mailbox, statusAttributes))))
            }
        }
        complete(tag, "LIST completed")
    }

    private func listOptions(_ list: ListCommand) throws -> ListOptions {
        var options = ListOptions()
        for option in list.selectionOptions {
            switch option {
            case .subscribed:
                options.selectSubscribed = true
                options.returnSubscribed = true
            case .specialUse: options.selectSpecialUse = true
            case .recursiveMatch: options.recursiveMatch = true
            case .remote: break
            case .other(let parameter): throw SessionError.badArguments("Unsupported LIST selection option \(parameter.name.prefix(32))")
            }
        }
        if options.recursiveMatch, !options.selectSubscribed, !options.selectSpecialUse {
            throw SessionError.badArguments("RECURSIVEMATCH needs another selection option")
        }
        for option in list.returnOptions {
            switch option {
            case .subscribed: options.returnSubscribed = true
            case .children, .specialUse: break  // always reported
            case .status(let attributes):
                try validateStatusAttributes(attributes)
                options.returnStatus = attributes
            case .other(let parameter): throw SessionError.badArguments("Unsupported LIST return option \(parameter.name.prefix(32))")
            }
        }
        return options
    }

    /// IMAP4rev1 LSUB: the subscribed names matching the pattern, and (as
    /// `\Noselect`) an unsubscribed parent the pattern matches whose subscribed
    /// child it does not (RFC 3501 section 6.3.9).
    func handleLSub(tag: String, reference: MailboxName, pattern: String) throws {
        if !pattern.isEmpty {
            let matcher = MailboxPattern(storePattern(reference.rawValue) + storePattern(pattern))
            let subscribed = Set(user.subscriptions())
            var candidates = subscribed
            for name in subscribed { candidates.formUnion(Self.ancestors(of: name)) }
            for name in candidates.sorted(by: Self.listOrder) where matcher.matches(name) {
                if subscribed.contains(name) {
                    send(.untagged(.lsub(ListResponse(attributes: [], delimiter: "/", mailbox: wireName(name)))))
                } else if subscribed.contains(where: { $0.hasPrefix(name + "/") && !matcher.matches($0) }) {
                    send(.untagged(.lsub(ListResponse(attributes: ["\\Noselect"], delimiter: "/", mailbox: wireName(name)))))
                }
            }
        } else {
            send(.untagged(.lsub(ListResponse(attributes: ["\\Noselect"], delimiter: "/", mailbox: MailboxName("")))))
        }
        complete(tag, "LSUB completed")
    }

    /// INBOX first, then by name.
    static func listOrder(_ left: String, _ right: String) -> Bool {
        if left == "INBOX" || right == "INBOX" { return left == "INBOX" && right != "INBOX" }
        return left < right
    }

    /// `a/b/c` → `a`, `a/b`.
    static func ancestors(of name: String) -> [String] {
        let parts = name.split(separator: "/")
        guard parts.count > 1 else { return [] }
        return (1..<parts.count).map { parts.prefix($0).joined(separator: "/") }
    }
}
