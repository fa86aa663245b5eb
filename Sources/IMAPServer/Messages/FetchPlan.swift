import IMAPCodec
import MIME

/// The items of one FETCH command with what can be worked out once for all its
/// messages: the folded field names of each `HEADER.FIELDS(.NOT)` of the message
/// itself, so each message only compares bytes.
struct FetchPlan {
    let attributes: [FetchAttribute]
    /// For each attribute, by position: its field selection when it is a
    /// top-level HEADER.FIELDS(.NOT) section, else nil.
    let headerSelections: [HeaderFieldSelection?]

    init(_ attributes: [FetchAttribute]) {
        self.attributes = attributes
        headerSelections = attributes.map { attribute in
            guard case let .bodySection(section, _, _) = attribute, section.part.isEmpty else { return nil }
            switch section.text {
            case let .headerFields(names)?: return HeaderFieldSelection(names: names, keep: true)
            case let .headerFieldsNot(names)?: return HeaderFieldSelection(names: names, keep: false)
            default: return nil
            }
        }
    }
}
