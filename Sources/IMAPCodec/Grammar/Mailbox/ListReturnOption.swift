/// `return-option`: what LIST reports about each mailbox.
public enum ListReturnOption: Hashable, Sendable {
    case subscribed
    case children
    case specialUse
    /// `STATUS (...)` of LIST-STATUS.
    case status([StatusAttribute])
    case other(ExtensionParameter)
}
