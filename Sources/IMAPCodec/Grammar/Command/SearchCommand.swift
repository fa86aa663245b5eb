/// SEARCH or UID SEARCH.
///
///     search = "SEARCH" [search-return-opts] SP search-program
public struct SearchCommand: Hashable, Sendable {
    public var byUID: Bool
    /// nil without `RETURN (...)`; `[]` for `RETURN ()`, which means ALL.
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    /// The criteria; several top-level keys are one `.and`.
    public var key: SearchKey

    public init(byUID: Bool, returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, key: SearchKey) {
        self.byUID = byUID
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}
