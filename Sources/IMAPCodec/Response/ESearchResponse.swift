/// An ESEARCH response (RFC 4731, RFC 9051).
///
///     esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
public struct ESearchResponse: Hashable, Sendable {
    /// The tag of the SEARCH this answers.
    public var correlator: String?
    public var byUID: Bool
    public var items: [Item]

    public enum Item: Hashable, Sendable {
        case min(UInt32)
        case max(UInt32)
        case all(SequenceSet)
        case count(UInt32)
        case modificationSequence(UInt64)
        case other(ExtensionParameter)
    }

    public init(correlator: String?, byUID: Bool, items: [Item]) {
        self.correlator = correlator
        self.byUID = byUID
        self.items = items
    }
}
