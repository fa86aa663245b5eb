/// ESEARCH return options (RFC 4731) and SEARCHRES SAVE (RFC 5182).
///
///     search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" / search-ret-opt-ext
public enum SearchReturnOption: Hashable, Sendable {
    case min, max, all, count, save
    case other(ExtensionParameter)
}
