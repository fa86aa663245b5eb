/// The optional metadata entry of a MODSEQ search key.
///
///     search-modseq-ext = SP entry-name SP entry-type-req
public struct ModSeqEntry: Hashable, Sendable {
    /// The flag named by `"/flags/<flag>"`.
    public var flag: Flag
    public var type: EntryType

    public enum EntryType: Hashable, Sendable { case `private`, shared, all }

    public init(flag: Flag, type: EntryType) {
        self.flag = flag
        self.type = type
    }
}
