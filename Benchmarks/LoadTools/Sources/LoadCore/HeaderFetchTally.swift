import IMAPCodec

/// The checks on the answer to a header FETCH over `1:*`, applied one FETCH response
/// at a time: every one of `exists` messages answered once, each answer with UID, FLAGS
/// and a header-fields section of more than two bytes; FETCH FLAGS updates another
/// session caused (neither UID nor header) are passed over.
///
/// Both readers feed it: ``ResponseValidator/validateHeaderFetch(_:exists:)`` with
/// parsed responses, the fast lane (``HeaderFetchReceiver``) with what
/// ``HeaderFetchScanner`` recognized. The first failure is kept, not thrown, so the
/// exchange is read to its completion and ``finish(status:)`` reports failures in the
/// order the generic validator always did: the completion first, then the first bad
/// response, then the count.
struct HeaderFetchTally {
    private(set) var exists: UInt32 = 0
    /// `answered[n]` for message `n`; index 0 unused. Kept between exchanges.
    private var answered: [Bool] = []
    private(set) var count = 0
    private(set) var bytes = 0
    private(set) var firstFailure: LoadError?

    init(exists: UInt32) { reset(exists: exists) }

    /// Starts over for an exchange over `exists` messages, reusing the storage.
    mutating func reset(exists: UInt32) {
        self.exists = exists
        let size = Int(exists) + 1
        if answered.count == size {
            answered.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
        } else {
            answered = [Bool](repeating: false, count: size)
        }
        count = 0
        bytes = 0
        firstFailure = nil
    }

    /// A parsed untagged response; anything but FETCH is passed over.
    mutating func note(_ response: UntaggedResponse) {
        guard case .fetch(let number, let attributes) = response else { return }
        var hasUID = false
        var hasFlags = false
        var headerBytes: Int?
        for attribute in attributes {
            switch attribute {
            case .uid: hasUID = true
            case .flags: hasFlags = true
            case .bodySection(let section, _, let data) where section.part.isEmpty:
                guard case .headerFields = section.text else { continue }
                switch data {
                case .bytes(let content): headerBytes = content.count
                case .external(let streamed): headerBytes = streamed.count
                case .none: headerBytes = nil
                }
            default: continue
            }
        }
        note(number: number, hasUID: hasUID, hasFlags: hasFlags, headerBytes: headerBytes)
    }

    /// One FETCH response for message `number` and what it carried.
    mutating func note(number: UInt32, hasUID: Bool, hasFlags: Bool, headerBytes: Int?) {
        guard firstFailure == nil else { return }
        // A FETCH FLAGS another session's STORE caused carries neither UID nor header.
        if !hasUID, headerBytes == nil { return }
        guard number >= 1, number <= exists else { return fail("message \(number) of \(exists)") }
        guard hasUID, hasFlags else { return fail("message \(number) lacks UID or FLAGS") }
        guard let headerBytes, headerBytes > 2 else { return fail("message \(number): no header fields") }
        guard !answered[Int(number)] else { return fail("message \(number) answered twice") }
        answered[Int(number)] = true
        count += 1
        bytes += headerBytes
    }

    private mutating func fail(_ reason: String) {
        firstFailure = LoadError("invalid FETCH", reason)
    }

    /// The verdict once the completion arrived: the header bytes received, or the
    /// failure (a completion other than OK, the first bad response, or messages missing).
    func finish(status: StatusResponse) throws(LoadError) -> Int {
        try ResponseValidator.requireOK(Exchange(untagged: [], status: status), "FETCH")
        if let firstFailure { throw firstFailure }
        guard count == Int(exists) else { throw LoadError("invalid FETCH", "\(count) of \(exists) messages answered") }
        return bytes
    }
}
