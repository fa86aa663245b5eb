/// `list-select-opt`: which mailboxes LIST reports.
public enum ListSelectionOption: Hashable, Sendable {
    case subscribed
    case remote
    case recursiveMatch
    case specialUse
    case other(ExtensionParameter)
}
