import IMAPCodec
import MailStore

/// Turns the matching UIDs of a SEARCH into its untagged response and, with
/// `RETURN (SAVE)`, the result to keep for `$` (RFC 4731 ESEARCH, RFC 5182
/// SEARCHRES, RFC 9051 6.4.4).
struct SearchResponder {
    /// What a SEARCH produced.
    struct Outcome: Equatable {
        /// The untagged response, or nil (`RETURN (SAVE)` alone answers nothing).
        var response: UntaggedResponse?
        /// The new `$`, when SAVE was asked for.
        var saved: UIDSet?
    }

    /// `matches` ascend; `sequenceNumber` maps a UID to the number the client knows.
    /// IMAP4rev2 sessions always get ESEARCH (RFC 9051 7.3.4); IMAP4rev1 sessions
    /// get it only when they asked with RETURN.
    /// `modSeq`, given when the key has a MODSEQ criterion, is a message's MODSEQ:
    /// a result that is not empty then says the highest MODSEQ of the messages it
    /// returns (RFC 7162 3.1.5, 3.1.10; for MIN / MAX alone, of those, RFC 4731 3.2).
    static func outcome(
        matches: [UID], command: SearchCommand, tag: String, rev2: Bool,
        sequenceNumber: (UID) -> UInt32?, modSeq: ((UID) -> ModSeq)? = nil
    ) -> Outcome {
        let numbers: [UInt32] = command.byUID ? matches : matches.compactMap(sequenceNumber)
        guard rev2 || command.returnOptions != nil else {
            let highest = modSeq.flatMap { modSeq in matches.lazy.map(modSeq).max() }
            return Outcome(response: .search(numbers, modificationSequence: highest), saved: nil)
        }
        var options = command.returnOptions ?? []
        if options.isEmpty { options = [.all] } // RETURN () means ALL (RFC 4731 3.1)
        let wantsMin = options.contains(.min), wantsMax = options.contains(.max)
        var saved: UIDSet?
        if options.contains(.save) {
            // With MIN and/or MAX but not ALL/COUNT, only those are saved (RFC 5182 2.4).
            if (wantsMin || wantsMax), !options.contains(.all), !options.contains(.count) {
                var kept: [UID] = []
                if wantsMin, let first = matches.first { kept.append(first) }
                if wantsMax, let last = matches.last { kept.append(last) }
                saved = UIDSet(uids: kept)
            } else {
                saved = UIDSet(uids: matches)
            }
        }
        let answered = options.filter { $0 != .save }
        guard !answered.isEmpty else { return Outcome(response: nil, saved: saved) }
        var items: [ESearchResponse.Item] = []
        if wantsMin, let first = numbers.first { items.append(.min(first)) }
        if wantsMax, let last = numbers.last { items.append(.max(last)) }
        if options.contains(.all), !numbers.isEmpty { items.append(.all(compress(numbers))) }
        if options.contains(.count) { items.append(.count(UInt32(numbers.count))) }
        if let modSeq, let first = matches.first, let last = matches.last {
            let returned: [UID] = options.contains(.all) || options.contains(.count)
                ? matches : (wantsMin ? [first] : []) + (wantsMax ? [last] : [])
            if let highest = returned.lazy.map(modSeq).max() { items.append(.modificationSequence(highest)) }
        }
        let response = ESearchResponse(correlator: tag, byUID: command.byUID, items: items)
        return Outcome(response: .esearch(response), saved: saved)
    }

    /// A set of UIDs as the sequence set of its ranges (`1:3,7`), without listing
    /// each UID: a VANISHED of a million UIDs in few ranges stays a few ranges.
    static func compress(_ uids: UIDSet) -> SequenceSet {
        .ranges(uids.ranges.map { IMAPCodec.SequenceRange(.number($0.lowerBound), .number($0.upperBound)) })
    }

    /// Ascending numbers as the shortest sequence set (`1:3,7`).
    static func compress(_ numbers: [UInt32]) -> SequenceSet {
        var ranges: [IMAPCodec.SequenceRange] = []
        var start = numbers[0], end = numbers[0]
        for number in numbers.dropFirst() {
            if number == end &+ 1 {
                end = number
            } else {
                ranges.append(IMAPCodec.SequenceRange(.number(start), .number(end)))
                (start, end) = (number, number)
            }
        }
        ranges.append(IMAPCodec.SequenceRange(.number(start), .number(end)))
        return .ranges(ranges)
    }
}
