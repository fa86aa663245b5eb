/// A SELECT or EXAMINE parameter (RFC 4466 `select-param`).
///
///     condstore-param = "CONDSTORE"
///     select-param =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                     [SP known-uids] [SP seq-match-data] ")"
public enum SelectParameter: Hashable, Sendable {
    case condStore
    case qresync(QResyncParameter)
    case other(ExtensionParameter)
}

/// The client's cached state for QRESYNC (RFC 7162 section 3.2.5).
public struct QResyncParameter: Hashable, Sendable {
    public var uidValidity: UInt32
    public var modificationSequence: UInt64
    public var knownUIDs: SequenceSet?
    public var sequenceMatch: SequenceMatch?

    /// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`
    public struct SequenceMatch: Hashable, Sendable {
        public var sequenceNumbers: SequenceSet
        public var uids: SequenceSet

        public init(sequenceNumbers: SequenceSet, uids: SequenceSet) {
            self.sequenceNumbers = sequenceNumbers
            self.uids = uids
        }
    }

    public init(
        uidValidity: UInt32, modificationSequence: UInt64, knownUIDs: SequenceSet? = nil,
        sequenceMatch: SequenceMatch? = nil
    ) {
        self.uidValidity = uidValidity
        self.modificationSequence = modificationSequence
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }
}
