import IMAPCodec
import MailStore

/// What QRESYNC (RFC 7162 3.2) adds to SELECT / EXAMINE and UID FETCH: the
/// expunges (VANISHED (EARLIER)) and flag changes since the client's MODSEQ.
///
/// The store never forgets an expunge (the history lives in the index, through
/// journal, snapshots and compaction; a mailbox only loses it with a new
/// UIDVALIDITY, which sends the client back to a full sync), but it merges old
/// ones (RFC 7162 5.3's advice, `MailboxView.vanished(since:within:)`): VANISHED
/// (EARLIER) names every UID of the client's set expunged after its MODSEQ, and
/// for an old MODSEQ possibly some expunged before it or never used, never a
/// live one. Clients ignore UIDs they do not have.
extension Session {
    /// The client's cached state checked before anything is deselected: BAD for
    /// QRESYNC without `ENABLE QRESYNC` (3.2.5), a `*` or `$` where the grammar's
    /// comments forbid it, or sequence match data whose two sets differ in length.
    func validateQResync(_ parameter: QResyncParameter) throws {
        guard machine.isQResyncEnabled else { throw SessionError.badArguments("QRESYNC needs ENABLE QRESYNC first") }
        if let known = parameter.knownUIDs, Self.explicitUIDs(known) == nil {
            throw SessionError.badArguments("Known UIDs must be explicit UIDs")
        }
        if let match = parameter.sequenceMatch {
            guard let numbers = Self.explicitUIDs(match.sequenceNumbers), let uids = Self.explicitUIDs(match.uids),
                  numbers.reduce(0, { $0 + $1.count }) == uids.reduce(0, { $0 + $1.count })
            else { throw SessionError.badArguments("Sequence match data must pair explicit numbers with UIDs") }
        }
    }

    /// After SELECT's usual responses: when the UIDVALIDITY matches, `VANISHED
    /// (EARLIER)` for the known UIDs expunged since the client's MODSEQ, then
    /// `FETCH (UID FLAGS MODSEQ)` for those changed since (3.2.5.1); on a
    /// mismatch nothing, as if no parameter had been given.
    func sendQResyncChanges(_ parameter: QResyncParameter, selection: SelectedMailbox) async throws {
        let view = selection.view
        guard parameter.uidValidity == view.status.uidValidity else { return }
        // No known UIDs: all below UIDNEXT (an empty set for a mailbox that never had mail).
        let uidNext = view.status.uidNext
        let known = parameter.knownUIDs.flatMap(Self.explicitUIDs).map { UIDSet($0) }
            ?? (uidNext > 1 ? UIDSet([1...(uidNext - 1)]) : UIDSet())
        var vanished = view.vanished(since: parameter.modificationSequence, within: known)
        if let floor = parameter.sequenceMatch.map({ Self.matchedFloor($0, in: view) }), floor > 0 {
            vanished = vanished.subtracting(UIDSet([1...floor]))
        }
        if !vanished.isEmpty { send(.untagged(.vanished(earlier: true, SearchResponder.compress(vanished)))) }
        let rev1 = !machine.isRev2Enabled
        for uid in view.changed(since: parameter.modificationSequence).intersection(known) {
            guard let message = view.message(uid: uid), let sequence = selection.sequenceNumber(of: uid) else { continue }
            let flags = FlagTranslation.wireFlags(message.flags, recent: rev1 && selection.updates.recentUIDs.contains(uid))
            send(.untagged(.fetch(UInt32(sequence), [.uid(uid), .flags(flags), .modificationSequence(message.modSeq)])))
            if output.bytes.count >= Self.qresyncFlushThreshold { try await flush() }
        }
    }

    /// `* VANISHED (EARLIER)` for UID FETCH (CHANGEDSINCE n VANISHED) (3.2.6): the
    /// UIDs of the command's set expunged after `modSeq`. `*` stands for the
    /// highest UID ever given (UIDNEXT - 1), so expunges above the highest UID
    /// still in the mailbox are reported too.
    func sendVanishedEarlier(_ set: SequenceSet, since modSeq: ModSeq, selection: SelectedMailbox) {
        let view = selection.mailbox.view()
        let within: UIDSet
        switch set {
        case .lastSearchResult: within = selection.savedSearch
        case let .ranges(ranges): within = UIDSet(Self.uidRanges(ranges, star: view.status.uidNext &- 1))
        }
        let vanished = view.vanished(since: modSeq, within: within)
        if !vanished.isEmpty { send(.untagged(.vanished(earlier: true, SearchResponder.compress(vanished)))) }
    }

    private static let qresyncFlushThreshold = 256 * 1024

    /// The ranges of a set that must not hold `*` or `$`; nil if it does.
    private static func explicitUIDs(_ set: SequenceSet) -> [ClosedRange<UID>]? {
        guard case let .ranges(ranges) = set else { return nil }
        var result: [ClosedRange<UID>] = []
        for range in ranges {
            guard case let .number(a) = range.first, case let .number(b) = range.last else { return nil }
            result.append(min(a, b)...max(a, b))
        }
        return result
    }

    private static func uidRanges(_ ranges: [IMAPCodec.SequenceRange], star: UID) -> [ClosedRange<UID>] {
        ranges.compactMap { range in
            let a = bound(range.first, star: star), b = bound(range.last, star: star)
            let low = min(a, b), high = max(a, b)
            return high == 0 ? nil : max(low, 1)...high
        }
    }

    private static func bound(_ number: SequenceNumber, star: UID) -> UID {
        switch number {
        case let .number(value): value
        case .last: star
        }
    }

    /// The highest UID up to which the client's sample of sequence numbers and
    /// UIDs matches the mailbox, pair by pair from the first (3.2.5.2): the client
    /// knows every expunge below it. 0 when the first pair does not match.
    private static func matchedFloor(_ match: QResyncParameter.SequenceMatch, in view: MailboxView) -> UID {
        guard let numbers = explicitUIDs(match.sequenceNumbers), let uids = explicitUIDs(match.uids) else { return 0 }
        var floor: UID = 0
        for (sequence, uid) in zip(numbers.lazy.flatMap { $0 }, uids.lazy.flatMap { $0 }) {
            guard sequence >= 1, Int(sequence) <= view.count, view.uid(atSequence: Int(sequence)) == uid else { break }
            floor = uid
        }
        return floor
    }
}
