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

/// A CREATE parameter (RFC 4466 `create-param`), with CREATE-SPECIAL-USE's USE.
///
///     create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"
public enum CreateParameter: Hashable, Sendable {
    /// Special-use attributes such as `\Sent`, as written.
    case use([String])
    case other(ExtensionParameter)
}

/// How a STORE changes flags.
///
///     store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
public struct StoreFlags: Hashable, Sendable {
    public enum Operation: Hashable, Sendable { case replace, add, remove }

    public var operation: Operation
    /// `.SILENT`: no untagged FETCH for the change.
    public var silent: Bool
    public var flags: [Flag]

    public init(operation: Operation, silent: Bool, flags: [Flag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}

/// A STORE modifier (RFC 4466 `store-modifier`).
///
///     store-modifier =/ "UNCHANGEDSINCE" SP mod-sequence-valzer
public enum StoreModifier: Hashable, Sendable {
    case unchangedSince(UInt64)
    case other(ExtensionParameter)
}

/// The initial response of AUTHENTICATE with SASL-IR (RFC 4959).
///
///     initial-resp = (base64 / "=")
public enum InitialResponse: Hashable, Sendable {
    /// `=`: an initial response of zero length.
    case empty
    /// The base64 text, undecoded; the SASL layer decodes it.
    case base64(String)
}

/// One field of an ID command (RFC 2971): `"name" "value"`; the value may be NIL.
public struct IDField: Hashable, Sendable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}
