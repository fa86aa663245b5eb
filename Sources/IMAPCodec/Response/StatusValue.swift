/// One STATUS item and its value.
///
///     status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ...
public enum StatusValue: Hashable, Sendable {
    case messages(UInt32)
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    case deleted(UInt32)
    case size(UInt64)
    case recent(UInt32)
    case highestModificationSequence(UInt64)
    /// nil: no limit (`APPENDLIMIT NIL`).
    case appendLimit(UInt64?)
}
