import IMAPCodec
import MIME

/// The items of one FETCH command with what can be worked out once for all its
/// messages: the folded field names of each `HEADER.FIELDS(.NOT)` of the message
/// itself, so each message only compares bytes; the `BODY[section]<origin>` labels,
/// encoded once rather than per response; and whether the mailbox's header cache
/// answers the whole command.
struct FetchPlan {
    let attributes: [FetchAttribute]
    /// For each attribute, by position: its field selection when it is a
    /// top-level HEADER.FIELDS(.NOT) section, else nil; empty when no attribute is
    /// one (read through ``headerSelection(at:)``).
    let headerSelections: [HeaderFieldSelection?]
    /// For each attribute, by position: its encoded `BODY[section]<origin>` label
    /// when it is a body section; empty when the plan was made without the
    /// session's encoder (read through ``sectionLabel(at:)``).
    let sectionLabels: [PreEncodedBytes?]
    /// True when every item is either answered by the index (FLAGS, UID, …) or a
    /// top-level `HEADER.FIELDS` of fields the header cache keeps, and there is at
    /// least one of the latter: a message with a cache entry then needs no file.
    let isAnsweredByHeaderCache: Bool
    /// True when the only items a message file answers are whole bodies
    /// (`BODY[]`, `BODY.PEEK[]`, `RFC822`, with or without a partial range):
    /// those are one range of the body, found without the message's structure.
    let needsWholeBodiesOnly: Bool

    /// The field selection of the attribute at `position` (see ``headerSelections``).
    func headerSelection(at position: Int) -> HeaderFieldSelection? {
        position < headerSelections.count ? headerSelections[position] : nil
    }

    /// The encoded label of the attribute at `position` (see ``sectionLabels``).
    func sectionLabel(at position: Int) -> PreEncodedBytes? {
        position < sectionLabels.count ? sectionLabels[position] : nil
    }

    /// Whether the only items a message file answers are whole bodies (see
    /// ``needsWholeBodiesOnly``).
    static func asksWholeBodiesOnly(_ attributes: [FetchAttribute]) -> Bool {
        attributes.allSatisfy { attribute in
            switch attribute {
            case let .bodySection(section, _, _): section.part.isEmpty && section.text == nil
            case .rfc822: true
            default: !FetchResponder.needsMessageFile([attribute])
            }
        }
    }

    init(_ attributes: [FetchAttribute], encoder: ResponseEncoder? = nil) {
        self.attributes = attributes
        needsWholeBodiesOnly = Self.asksWholeBodiesOnly(attributes)
        let selections = attributes.map { attribute -> HeaderFieldSelection? in
            guard case let .bodySection(section, _, _) = attribute, section.part.isEmpty else { return nil }
            switch section.text {
            case let .headerFields(names)?: return HeaderFieldSelection(names: names, keep: true)
            case let .headerFieldsNot(names)?: return HeaderFieldSelection(names: names, keep: false)
            default: return nil
            }
        }
        // Kept only when there is something to keep: a plan for one message (a
        // body FETCH) then allocates nothing for them.
        headerSelections = selections.contains { $0 != nil } ? selections : []
        sectionLabels = encoder.map { encoder in
            attributes.map { attribute in
                guard case let .bodySection(section, partial, _) = attribute else { return nil }
                return encoder.encodedBodySectionLabel(section, origin: partial?.offset)
            }
        } ?? []
        var cached = false, other = false
        for (attribute, selection) in zip(attributes, selections) {
            if let selection, selection.isAnsweredByCache {
                cached = true
            } else if FetchResponder.needsMessageFile([attribute]) {
                other = true
            }
        }
        isAnsweredByHeaderCache = cached && !other
    }
}
